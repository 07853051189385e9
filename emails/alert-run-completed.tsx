import { z } from "zod";
import { link, singleLine } from "./_shared/fields";
import { AlertMessage, AutomationFooter, Facts, alertBase, optionalLine, testPrefix } from "./_shared/alert";
import { EmailLayout } from "./_shared/layout";

export const schema = z.object({
  ...alertBase,
  runName: singleLine(200),
  url: link,
  flowName: singleLine(200),
  deploymentName: optionalLine(200),
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
    <EmailLayout
      preview={props.message.slice(0, 140)}
      title={`${testPrefix(props.test)}Run ${props.runName} completed`}
      action={{ label: "View run", url: props.url }}
      footer={<AutomationFooter {...props} />}
    >
      <AlertMessage message={props.message} test={props.test} />
      <Facts
        rows={[
          ["Flow", props.flowName],
          ["Deployment", props.deploymentName ?? "(none: ad-hoc run)"],
          ["State", props.stateName],
          ["Duration", props.duration],
          ["Finished", props.endTime],
        ]}
      />
    </EmailLayout>
  );
}

AlertRunCompleted.PreviewProps = PreviewProps;
