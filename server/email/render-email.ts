import { render, toPlainText } from "@react-email/render";
import { createElement } from "react";
import { z } from "zod";
import { templates, type EmailTemplate, type TemplateName, type TemplateProps } from "@/emails";

export type RenderedEmail = { subject: string; html: string; text: string };

/** Validates the props against the template's schema, then renders subject, HTML and plain text. */
export async function renderEmail<N extends TemplateName>(name: N, props: TemplateProps<N>): Promise<RenderedEmail> {
  // Each template's types line up with its own schema; the union of all of them does not.
  const template = templates[name] as unknown as EmailTemplate<z.ZodType<object>>;
  const parsed = template.schema.safeParse(props);
  if (!parsed.success) {
    throw new Error(`Invalid props for email template "${name}":\n${z.prettifyError(parsed.error)}`);
  }
  const html = await render(createElement(template.component, parsed.data));
  return { subject: template.subject(parsed.data), html, text: toPlainText(html) };
}
