import type { ReactElement } from "react";
import type { z } from "zod";
import * as invitation from "./invitation";
import * as resetPassword from "./reset-password";
import * as verifyEmail from "./verify-email";

export type EmailTemplate<S extends z.ZodType> = {
  schema: S;
  component: (props: z.output<S>) => ReactElement;
  subject: (props: z.output<S>) => string;
  previewProps: z.input<S>;
};

function defineTemplate<S extends z.ZodType>(template: EmailTemplate<S>): EmailTemplate<S> {
  return template;
}

/** Every email Baton sends. A template is its props schema, its subject and its body. */
export const templates = {
  "verify-email": defineTemplate({
    schema: verifyEmail.schema,
    component: verifyEmail.default,
    subject: verifyEmail.subject,
    previewProps: verifyEmail.PreviewProps,
  }),
  "reset-password": defineTemplate({
    schema: resetPassword.schema,
    component: resetPassword.default,
    subject: resetPassword.subject,
    previewProps: resetPassword.PreviewProps,
  }),
  invitation: defineTemplate({
    schema: invitation.schema,
    component: invitation.default,
    subject: invitation.subject,
    previewProps: invitation.PreviewProps,
  }),
};

export type TemplateName = keyof typeof templates;
export type TemplateProps<N extends TemplateName> = z.input<(typeof templates)[N]["schema"]>;
export const templateNames = Object.keys(templates) as TemplateName[];
