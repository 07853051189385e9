import { z } from "zod";
import { link, pluralize, singleLine } from "./_shared/fields";
import { AlertMessage, AutomationFooter, Facts, alertBase, optionalLine, testPrefix } from "./_shared/alert";
import { EmailLayout } from "./_shared/layout";

/** No Completed run of a deployment within N hours (sent once per window). */
export const schema = z.object({
  ...alertBase,
  deploymentName: singleLine(200),
  url: link,
  flowName: singleLine(200),
  hours: z.number().int().positive(),
  /** null: the deployment never completed a run. */
  lastSuccessAt: optionalLine(60),
});
export type AlertNoSuccessProps = z.infer<typeof schema>;

export const PreviewProps: AlertNoSuccessProps = {
  test: false,
  workspaceName: "Acme Data",
  automationName: "ETL heartbeat",
  automationUrl: "http://localhost:3000/w/acme/automations/preview",
  message: "No Completed run of deployment nightly (etl-nightly) in the last 24 hours. Last success: 2026-11-25 03:04 UTC.",
  deploymentName: "nightly",
  url: "http://localhost:3000/w/acme/deployments/preview",
  flowName: "etl-nightly",
  hours: 24,
  lastSuccessAt: "2026-11-25 03:04 UTC",
};

export function subject({ test, deploymentName, flowName, hours }: AlertNoSuccessProps): string {
  return `${testPrefix(test)}No success in ${pluralize(hours, "hour")}: ${deploymentName} (${flowName})`;
}

export default function AlertNoSuccess(props: AlertNoSuccessProps) {
  return (
    <EmailLayout
      preview={props.message.slice(0, 140)}
      title={`${testPrefix(props.test)}No Completed run of ${props.deploymentName} in ${pluralize(props.hours, "hour")}`}
      action={{ label: "View deployment", url: props.url }}
      footer={<AutomationFooter {...props} />}
    >
      <AlertMessage message={props.message} test={props.test} />
      <Facts
        rows={[
          ["Deployment", props.deploymentName],
          ["Flow", props.flowName],
          ["Window", pluralize(props.hours, "hour")],
          ["Last success", props.lastSuccessAt ?? "never"],
        ]}
      />
    </EmailLayout>
  );
}

AlertNoSuccess.PreviewProps = PreviewProps;
