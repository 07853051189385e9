import { Link, Text } from "@react-email/components";
import { z } from "zod";
import { link, pluralize, singleLine } from "./_shared/fields";
import { AutomationFooter, testPrefix } from "./_shared/alert";
import { EmailLayout, text } from "./_shared/layout";

/** More than 10 alerts to one address within a minute, sent as one email. */
export const schema = z.object({
  test: z.boolean().default(false),
  workspaceName: singleLine(200),
  automationName: singleLine(200),
  automationUrl: link,
  count: z.number().int().positive(),
  /** "12 alerts in the last minute: 10 Failed, 2 Crashed". */
  summary: singleLine(500),
  items: z
    .array(z.object({ event: singleLine(40), title: singleLine(200), url: link, detail: singleLine(400) }))
    .max(100),
  /** Alerts not listed, shown as "and N more". */
  moreCount: z.number().int().nonnegative().default(0),
  url: link,
  unsubscribeUrl: link.nullish(),
});
export type AlertDigestProps = z.infer<typeof schema>;

export const PreviewProps: AlertDigestProps = {
  test: false,
  workspaceName: "Acme Data",
  automationName: "ETL failures",
  automationUrl: "http://localhost:3000/w/acme/automations/preview",
  count: 12,
  summary: "12 alerts in the last minute: 10 Failed, 2 Crashed",
  items: [
    { event: "Failed", title: "daring-lemur", url: "http://localhost:3000/w/acme/runs/preview-1", detail: "etl-nightly · nightly" },
    { event: "Crashed", title: "brave-otter", url: "http://localhost:3000/w/acme/runs/preview-2", detail: "etl-nightly · nightly" },
  ],
  moreCount: 10,
  url: "http://localhost:3000/w/acme/runs",
};

export function subject({ test, count, workspaceName, summary }: AlertDigestProps): string {
  const counts = summary.includes(": ") ? summary.slice(summary.indexOf(": ") + 2) : "";
  return `${testPrefix(test)}${pluralize(count, "alert")} in ${workspaceName}${counts ? `: ${counts}` : ""}`;
}

const item = { ...text, margin: "0 0 6px" };

export default function AlertDigest(props: AlertDigestProps) {
  return (
    <EmailLayout
      preview={props.summary}
      title={`${testPrefix(props.test)}${pluralize(props.count, "alert")} in ${props.workspaceName}`}
      action={{ label: "View runs", url: props.url }}
      footer={
        <>
          More than 10 alerts within a minute are sent as one email. <AutomationFooter {...props} />
        </>
      }
    >
      <Text style={text}>{props.summary}.</Text>
      {props.items.map((i, n) => (
        <Text key={n} style={item}>
          <strong>{i.event}</strong>{" "}
          <Link href={i.url} style={{ color: "#1d4ed8" }}>
            {i.title}
          </Link>{" "}
          <span style={{ color: "#6b7280" }}>{i.detail}</span>
        </Text>
      ))}
      {props.moreCount > 0 ? <Text style={text}>and {props.moreCount} more</Text> : null}
    </EmailLayout>
  );
}

AlertDigest.PreviewProps = PreviewProps;
