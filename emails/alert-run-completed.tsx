import { z } from "zod";
import { singleLine } from "./_shared/fields";
import { alertBase, optionalLine, RunAlertEmail, runBase, testPrefix } from "./_shared/alert";

export const schema = z.object({
  ...alertBase,
  ...runBase,
  stateName: singleLine(80),
  duration: optionalLine(40),
  endTime: optionalLine(60),
});
export type AlertRunCompletedProps = z.infer<typeof schema>;

export const PreviewProps: AlertRunCompletedProps = {
  test: false,
  workspaceName: "Acme Data",
  automationName: "Nightly ETL succeeded",
  automationUrl: "http://localhost:3000/w/acme/automations/preview",
  message: "Run daring-lemur of etl-nightly completed in 4m 12s.",
  runName: "daring-lemur",
  url: "http://localhost:3000/w/acme/runs/preview",
  flowName: "etl-nightly",
  deploymentName: "nightly",
  stateName: "Completed",
  duration: "4m 12s",
  endTime: "2026-11-26 03:04 UTC",
};

export function subject({ test, runName, flowName }: AlertRunCompletedProps): string {
  return `${testPrefix(test)}Completed: ${runName} of ${flowName}`;
}

export default function AlertRunCompleted(props: AlertRunCompletedProps) {
  return (
    <RunAlertEmail
      props={props}
      title={`Run ${props.runName} completed`}
      facts={[
        ["State", props.stateName],
        ["Duration", props.duration],
        ["Finished", props.endTime],
      ]}
    />
  );
}

AlertRunCompleted.PreviewProps = PreviewProps;
