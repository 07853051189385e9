import type { ReactElement } from "react";
import type { z } from "zod";
import * as alertAgentOffline from "./alert-agent-offline";
import * as alertDestinationDisabled from "./alert-destination-disabled";
import * as alertDigest from "./alert-digest";
import * as alertNoSuccess from "./alert-no-success";
import * as alertRunCompleted from "./alert-run-completed";
import * as alertRunFailed from "./alert-run-failed";
import * as alertRunLate from "./alert-run-late";
import * as alertRunRunningLong from "./alert-run-running-long";
import * as alertSubscriptionConfirm from "./alert-subscription-confirm";
import * as invitation from "./invitation";
import * as paymentFailed from "./payment-failed";
import * as resetPassword from "./reset-password";
import * as signupExistingAccount from "./signup-existing-account";
import * as usageLimit from "./usage-limit";
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
  "alert-subscription-confirm": defineTemplate({
    schema: alertSubscriptionConfirm.schema,
    component: alertSubscriptionConfirm.default,
    subject: alertSubscriptionConfirm.subject,
    previewProps: alertSubscriptionConfirm.PreviewProps,
  }),
  "reset-password": defineTemplate({
    schema: resetPassword.schema,
    component: resetPassword.default,
    subject: resetPassword.subject,
    previewProps: resetPassword.PreviewProps,
  }),
  "signup-existing-account": defineTemplate({
    schema: signupExistingAccount.schema,
    component: signupExistingAccount.default,
    subject: signupExistingAccount.subject,
    previewProps: signupExistingAccount.PreviewProps,
  }),
  invitation: defineTemplate({
    schema: invitation.schema,
    component: invitation.default,
    subject: invitation.subject,
    previewProps: invitation.PreviewProps,
  }),
  "usage-limit": defineTemplate({
    schema: usageLimit.schema,
    component: usageLimit.default,
    subject: usageLimit.subject,
    previewProps: usageLimit.PreviewProps,
  }),
  "payment-failed": defineTemplate({
    schema: paymentFailed.schema,
    component: paymentFailed.default,
    subject: paymentFailed.subject,
    previewProps: paymentFailed.PreviewProps,
  }),
  "alert-run-completed": defineTemplate({
    schema: alertRunCompleted.schema,
    component: alertRunCompleted.default,
    subject: alertRunCompleted.subject,
    previewProps: alertRunCompleted.PreviewProps,
  }),
  "alert-run-failed": defineTemplate({
    schema: alertRunFailed.schema,
    component: alertRunFailed.default,
    subject: alertRunFailed.subject,
    previewProps: alertRunFailed.PreviewProps,
  }),
  "alert-run-late": defineTemplate({
    schema: alertRunLate.schema,
    component: alertRunLate.default,
    subject: alertRunLate.subject,
    previewProps: alertRunLate.PreviewProps,
  }),
  "alert-run-running-long": defineTemplate({
    schema: alertRunRunningLong.schema,
    component: alertRunRunningLong.default,
    subject: alertRunRunningLong.subject,
    previewProps: alertRunRunningLong.PreviewProps,
  }),
  "alert-no-success": defineTemplate({
    schema: alertNoSuccess.schema,
    component: alertNoSuccess.default,
    subject: alertNoSuccess.subject,
    previewProps: alertNoSuccess.PreviewProps,
  }),
  "alert-agent-offline": defineTemplate({
    schema: alertAgentOffline.schema,
    component: alertAgentOffline.default,
    subject: alertAgentOffline.subject,
    previewProps: alertAgentOffline.PreviewProps,
  }),
  "alert-digest": defineTemplate({
    schema: alertDigest.schema,
    component: alertDigest.default,
    subject: alertDigest.subject,
    previewProps: alertDigest.PreviewProps,
  }),
  "alert-destination-disabled": defineTemplate({
    schema: alertDestinationDisabled.schema,
    component: alertDestinationDisabled.default,
    subject: alertDestinationDisabled.subject,
    previewProps: alertDestinationDisabled.PreviewProps,
  }),
};

export type TemplateName = keyof typeof templates;
export type TemplateProps<N extends TemplateName> = z.input<(typeof templates)[N]["schema"]>;
export const templateNames = Object.keys(templates) as TemplateName[];
