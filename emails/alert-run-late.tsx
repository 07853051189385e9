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
    <EmailLayout
      preview={props.message.slice(0, 140)}
      title={`${testPrefix(props.test)}Run ${props.runName} is late`}
      action={{ label: "View run", url: props.url }}
      footer={<AutomationFooter {...props} />}
    >
      <AlertMessage message={props.message} test={props.test} />
      <Facts
        rows={[
          ["Flow", props.flowName],
          ["Deployment", props.deploymentName ?? "(none: ad-hoc run)"],
          ["Scheduled for", props.scheduledTime],
          ["Late by", props.lateBy],
        ]}
      />
    </EmailLayout>
  );
}

AlertRunLate.PreviewProps = PreviewProps;
