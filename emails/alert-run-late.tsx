import { z } from "zod";
import { singleLine } from "./_shared/fields";
import { alertBase, optionalLine, RunAlertEmail, runBase, testPrefix } from "./_shared/alert";

export const schema = z.object({
  ...alertBase,
  ...runBase,
  scheduledTime: singleLine(60),
  /** How far past its scheduled time the run was when it was marked Late, e.g. "1m 05s". */
  lateBy: optionalLine(40),
});
export type AlertRunLateProps = z.infer<typeof schema>;

export const PreviewProps: AlertRunLateProps = {
  test: false,
  workspaceName: "Acme Data",
  automationName: "Late runs",
  automationUrl: "http://localhost:3000/w/acme/automations/preview",
  message: "Run daring-lemur of etl-nightly is late: it was scheduled for 2026-11-26 03:00 UTC and has not started.",
  runName: "daring-lemur",
  url: "http://localhost:3000/w/acme/runs/preview",
  flowName: "etl-nightly",
  deploymentName: "nightly",
  scheduledTime: "2026-11-26 03:00 UTC",
  lateBy: "1m 05s",
};

export function subject({ test, runName, flowName }: AlertRunLateProps): string {
  return `${testPrefix(test)}Late: ${runName} of ${flowName}`;
}

export default function AlertRunLate(props: AlertRunLateProps) {
  return (
    <RunAlertEmail
      props={props}
      title={`Run ${props.runName} is late`}
      facts={[
        ["Scheduled for", props.scheduledTime],
        ["Late by", props.lateBy],
      ]}
    />
  );
}

AlertRunLate.PreviewProps = PreviewProps;
