import { Link, Section, Text } from "@react-email/components";
import { Fragment, type CSSProperties, type ReactNode } from "react";
import { z } from "zod";
import { link, singleLine } from "./fields";
import { EmailLayout, text } from "./layout";

/** Props every alert email shares: where it comes from and the automation's rendered message. */
export const alertBase = {
  /** A "Send test" delivery: the subject and the body say so. */
  test: z.boolean().default(false),
  workspaceName: singleLine(200),
  automationName: singleLine(200),
  automationUrl: link,
  /** The automation's message template, rendered; may span lines (e.g. with {{logs}}). */
  message: z.string().max(10_000),
  /** Set in the copy for an address outside the workspace: its one-click way out. */
  unsubscribeUrl: link.nullish(),
};

export const optionalLine = (max: number) => singleLine(max).nullable().default(null);

/** Props every email about one run shares; `url` is the run's page. */
export const runBase = {
  runName: singleLine(200),
  url: link,
  flowName: singleLine(200),
  deploymentName: optionalLine(200),
};

type RunAlertProps = { unsubscribeUrl?: string | null; test: boolean; message: string; url: string; flowName: string; deploymentName: string | null; automationName: string; automationUrl: string; workspaceName: string };

/**
 * The body of an email about one run: the message, the run's flow and deployment and the
 * template's own facts, then whatever the template adds (an error, log lines); a "View run" button.
 */
export function RunAlertEmail({ props, title, facts, children }: { props: RunAlertProps; title: string; facts: [string, string | null | undefined][]; children?: ReactNode }) {
  return (
    <EmailLayout
      preview={props.message.slice(0, 140)}
      title={`${testPrefix(props.test)}${title}`}
      action={{ label: "View run", url: props.url }}
      footer={<AutomationFooter {...props} />}
    >
      <AlertMessage message={props.message} test={props.test} />
      <Facts rows={[["Flow", props.flowName], ["Deployment", props.deploymentName ?? "(none: ad-hoc run)"], ...facts]} />
      {children}
    </EmailLayout>
  );
}
export const logLines = z.array(z.string().max(1000)).max(20).default([]);

export function testPrefix(test: boolean): string {
  return test ? "Test: " : "";
}

const messageBox: CSSProperties = {
  ...text,
  whiteSpace: "pre-wrap",
  backgroundColor: "#f9fafb",
  borderLeft: "3px solid #9ca3af",
  padding: "12px 16px",
};
const testNote: CSSProperties = { ...text, color: "#92400e", backgroundColor: "#fffbeb", padding: "8px 12px", fontSize: "13px" };
const fact: CSSProperties = { ...text, margin: "0 0 4px" };
const label: CSSProperties = { color: "#6b7280", display: "inline-block", minWidth: "120px" };
const code: CSSProperties = {
  fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
  fontSize: "12px",
  lineHeight: "18px",
  whiteSpace: "pre-wrap",
  wordBreak: "break-all",
  backgroundColor: "#111827",
  color: "#f9fafb",
  padding: "12px 16px",
  borderRadius: "6px",
  margin: "0 0 16px",
};
const subheading: CSSProperties = { ...text, fontWeight: 600, margin: "16px 0 8px" };

/** Line breaks as <br> and indents as no-break spaces, so the plain-text version keeps them too. */
function Lines({ text }: { text: string }) {
  return (
    <>
      {text.split("\n").map((line, i) => (
        <Fragment key={i}>
          {i > 0 ? <br /> : null}
          {line.replace(/^ +/, (indent) => "\u00a0".repeat(indent.length))}
        </Fragment>
      ))}
    </>
  );
}

/** The automation's message, with a note when it is a test. */
export function AlertMessage({ message, test }: { message: string; test: boolean }) {
  return (
    <>
      {test ? <Text style={testNote}>Test: sent with “Send test” from the automation’s page. Nothing happened to your runs.</Text> : null}
      <Text style={messageBox}>
        <Lines text={message} />
      </Text>
    </>
  );
}

/** Label/value lines (flow, deployment, duration…); rows with no value are left out. */
export function Facts({ rows }: { rows: [string, string | null | undefined][] }) {
  return (
    <Section style={{ margin: "0 0 16px" }}>
      {rows
        .filter((row): row is [string, string] => Boolean(row[1]))
        .map(([name, value]) => (
          <Text key={name} style={fact}>
            <span style={label}>{name}</span> {value}
          </Text>
        ))}
    </Section>
  );
}

/** A monospace block: an error message or the last log lines. */
export function CodeBlock({ title, content }: { title: string; content: string }) {
  return (
    <>
      <Text style={subheading}>{title}</Text>
      <Text style={code}>
        <Lines text={content} />
      </Text>
    </>
  );
}

/** Why this email came, and where to change that. */
export function AutomationFooter({
  automationName,
  automationUrl,
  workspaceName,
  unsubscribeUrl,
}: {
  automationName: string;
  automationUrl: string;
  workspaceName: string;
  unsubscribeUrl?: string | null;
}) {
  return (
    <>
      Sent by the automation{" "}
      <Link href={automationUrl} style={{ color: "#1d4ed8" }}>
        {automationName}
      </Link>{" "}
      in the {workspaceName} workspace on Baton. If this alert isn’t for you, you can ignore this email; to change who gets these
      alerts, or to turn them off, manage the automation at{" "}
      <Link href={automationUrl} style={{ color: "#1d4ed8", wordBreak: "break-all" }}>
        {automationUrl}
      </Link>
      .
      {unsubscribeUrl ? (
        <>
          {" "}
          To stop receiving Baton alerts from {workspaceName}, unsubscribe:{" "}
          <Link href={unsubscribeUrl} style={{ color: "#1d4ed8", wordBreak: "break-all" }}>
            {unsubscribeUrl}
          </Link>
          .
        </>
      ) : null}
    </>
  );
}
