import { z } from "zod";
import type { TemplateName, TemplateProps } from "@/emails";
import type { Db } from "@/server/db/client";
import { emailMessages } from "@/server/db/schema";
import { devMailboxEnabled, env, publicUrl } from "@/server/env";
import { AppError } from "@/server/errors";
import { deliverEmail } from "./deliver-emails";
import { renderEmail } from "./render-email";

const address = z.email();

export type SendEmailInput<N extends TemplateName> = {
  to: string;
  template: N;
  props: TemplateProps<N>;
  workspaceId?: string | null;
};

/**
 * Renders the email and stores it in the outbox; returns the row id. With RESEND_API_KEY the row is
 * queued and a first delivery attempt starts in the background (failures are retried by
 * `deliverDueEmails`); without it the row is kept and shown at /dev/mailbox.
 */
export async function sendEmail<N extends TemplateName>(db: Db, input: SendEmailInput<N>): Promise<string> {
  if (!address.safeParse(input.to).success) {
    throw new AppError("BAD_REQUEST", `Cannot send email to "${input.to}": that is not an email address.`);
  }
  const rendered = await renderEmail(input.template, input.props);
  const queued = Boolean(env().RESEND_API_KEY);
  const [row] = await db
    .insert(emailMessages)
    .values({
      workspaceId: input.workspaceId ?? null,
      template: input.template,
      to: input.to,
      ...rendered,
      status: queued ? "queued" : "kept",
    })
    .returning({ id: emailMessages.id });
  if (queued) {
    deliverEmail(db, row.id).catch((err: unknown) => {
      console.error(`[email] first delivery attempt of ${row.id} failed; it will be retried:`, err);
    });
  } else if (devMailboxEnabled()) {
    console.info(`[email] RESEND_API_KEY is unset: "${rendered.subject}" kept at ${publicUrl()}/dev/mailbox/${row.id}`);
  } else {
    console.warn(`[email] RESEND_API_KEY is unset: "${rendered.subject}" to ${input.to} was not sent. Set RESEND_API_KEY to send mail.`);
  }
  return row.id;
}
