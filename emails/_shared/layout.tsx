import { Body, Button, Container, Head, Hr, Html, Link, Preview, Section, Text } from "@react-email/components";
import type { CSSProperties, ReactNode } from "react";

const body: CSSProperties = {
  backgroundColor: "#ffffff",
  color: "#111827",
  fontFamily: "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif",
  margin: 0,
  padding: "24px 0",
};
const container: CSSProperties = { maxWidth: "560px", margin: "0 auto", padding: "0 24px" };
export const text: CSSProperties = { fontSize: "15px", lineHeight: "24px", margin: "0 0 16px" };
const heading: CSSProperties = { fontSize: "20px", lineHeight: "28px", fontWeight: 600, margin: "0 0 16px" };
const button: CSSProperties = {
  backgroundColor: "#111827",
  borderRadius: "6px",
  color: "#ffffff",
  fontSize: "15px",
  fontWeight: 600,
  padding: "10px 18px",
  textDecoration: "none",
};
const muted: CSSProperties = { ...text, color: "#6b7280", fontSize: "13px", lineHeight: "20px" };
const url: CSSProperties = { color: "#1d4ed8", wordBreak: "break-all" };

/** The frame every Baton email shares: one heading, the body, one action, and the fine print. */
export function EmailLayout(props: {
  preview: string;
  title: string;
  action: { label: string; url: string };
  footer: ReactNode;
  children: ReactNode;
}) {
  return (
    <Html lang="en">
      <Head />
      <Preview>{props.preview}</Preview>
      <Body style={body}>
        <Container style={container}>
          <Text style={heading}>{props.title}</Text>
          {props.children}
          <Section style={{ margin: "8px 0 24px" }}>
            <Button href={props.action.url} style={button}>
              {props.action.label}
            </Button>
          </Section>
          <Text style={muted}>
            If the button doesn’t work, copy this link into your browser:
            <br />
            <Link href={props.action.url} style={url}>
              {props.action.url}
            </Link>
          </Text>
          <Hr style={{ borderColor: "#e5e7eb", margin: "24px 0 16px" }} />
          <Text style={muted}>{props.footer}</Text>
        </Container>
      </Body>
    </Html>
  );
}
