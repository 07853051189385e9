import { z } from "zod";
import { singleLine } from "./_shared/fields";
import { alertBase, optionalLine, RunAlertEmail, runBase, testPrefix } from "./_shared/alert";

export const schema = z.object({
  ...alertBase,
  ...runBase,
  /** The automation's limit, e.g. "30 minutes". */
  threshold: singleLine(40),
  duration: optionalLine(40),
  startTime: optionalLine(60),
});
export type AlertRunRunningLongProps = z.infer<typeof schema>;

export const PreviewProps: AlertRunRunningLongProps = {
  test: false,
  workspaceName: "Acme Data",
  automationName: "Slow ETL",
  automationUrl: "http://localhost:3000/w/acme/automations/preview",
  message: "Run daring-lemur of etl-nightly has been running for 31m 02s, longer than 30 minutes.",
  runName: "daring-lemur",
  url: "http://localhost:3000/w/acme/runs/preview",
  flowName: "etl-nightly",
  deploymentName: "nightly",
  threshold: "30 minutes",
  duration: "31m 02s",
  startTime: "2026-11-26 03:00 UTC",
};

export function subject({ test, runName, flowName, threshold }: AlertRunRunningLongProps): string {
  return `${testPrefix(test)}Running over ${threshold}: ${runName} of ${flowName}`;
}

export default function AlertRunRunningLong(props: AlertRunRunningLongProps) {
  return (
    <RunAlertEmail
      props={props}
      title={`Run ${props.runName} has been running longer than ${props.threshold}`}
      facts={[
        ["Started", props.startTime],
        ["Running for", props.duration],
        ["Limit", props.threshold],
      ]}
    />
  );
}

AlertRunRunningLong.PreviewProps = PreviewProps;
