import { z } from "zod";
import { singleLine } from "./_shared/fields";
import { alertBase, CodeBlock, logLines, optionalLine, RunAlertEmail, runBase, testPrefix } from "./_shared/alert";

/** A run that ended without success: Failed, Crashed, or Cancelled (with its reason and where it stopped). */
export const schema = z.object({
  ...alertBase,
  event: z.enum(["Failed", "Crashed", "Cancelled"]),
  ...runBase,
  stateName: singleLine(80),
  duration: optionalLine(40),
  attempt: z.number().int().positive().default(1),
  /** The state message: the error of a failed or crashed run, who cancelled and why for a cancelled one. */
  error: z.string().max(10_000).nullable().default(null),
  logLines,
});
export type AlertRunFailedProps = z.infer<typeof schema>;

export const PreviewProps: AlertRunFailedProps = {
  test: false,
  workspaceName: "Acme Data",
  automationName: "ETL failures",
  automationUrl: "http://localhost:3000/w/acme/automations/preview",
  message: "Run daring-lemur of etl-nightly failed after 4m 12s: KeyError: 'customer_id'",
  event: "Failed",
  runName: "daring-lemur",
  url: "http://localhost:3000/w/acme/runs/preview",
  flowName: "etl-nightly",
  deploymentName: "nightly",
  stateName: "Failed",
  duration: "4m 12s",
  attempt: 1,
  error: "Traceback (most recent call last):\n  File \"etl.py\", line 42, in load\nKeyError: 'customer_id'",
  logLines: ["03:00:01 INFO Extracting 12,408 rows", "03:04:12 ERROR KeyError: 'customer_id'"],
};

const VERB = { Failed: "failed", Crashed: "crashed", Cancelled: "was cancelled" } as const;

export function subject({ test, event, runName, flowName }: AlertRunFailedProps): string {
  return `${testPrefix(test)}${event}: ${runName} of ${flowName}`;
}

export default function AlertRunFailed(props: AlertRunFailedProps) {
  return (
    <RunAlertEmail
      props={props}
      title={`Run ${props.runName} ${VERB[props.event]}`}
      facts={[
        ["State", props.stateName],
        ["Duration", props.duration],
        ["Attempt", props.attempt > 1 ? String(props.attempt) : null],
      ]}
    >
      {props.error ? <CodeBlock title={props.event === "Cancelled" ? "Reason" : "Error"} content={props.error} /> : null}
      {props.logLines.length > 0 ? <CodeBlock title="Last log lines" content={props.logLines.join("\n")} /> : null}
    </RunAlertEmail>
  );
}

AlertRunFailed.PreviewProps = PreviewProps;
