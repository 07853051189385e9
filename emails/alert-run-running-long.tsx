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
    <EmailLayout
      preview={props.message.slice(0, 140)}
      title={`${testPrefix(props.test)}Run ${props.runName} has been running longer than ${props.threshold}`}
      action={{ label: "View run", url: props.url }}
      footer={<AutomationFooter {...props} />}
    >
      <AlertMessage message={props.message} test={props.test} />
      <Facts
        rows={[
          ["Flow", props.flowName],
          ["Deployment", props.deploymentName ?? "(none: ad-hoc run)"],
          ["Started", props.startTime],
          ["Running for", props.duration],
          ["Limit", props.threshold],
        ]}
      />
    </EmailLayout>
  );
}

AlertRunRunningLong.PreviewProps = PreviewProps;
