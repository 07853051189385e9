import { Text } from "@react-email/components";
import { z } from "zod";
import { link, singleLine } from "./_shared/fields";
import { EmailLayout, text } from "./_shared/layout";

export const schema = z.object({
  workspaceName: singleLine(200),
  planName: singleLine(40),
  /** 80: nearing the month's quota; 100: reached it, new runs are refused. */
  percent: z.union([z.literal(80), z.literal(100)]),
  runs: z.number().int().nonnegative(),
  limit: z.number().int().positive(),
  url: link,
});
export type UsageLimitProps = z.infer<typeof schema>;

export const PreviewProps: UsageLimitProps = {
  workspaceName: "Acme Data",
  planName: "Hobby",
  percent: 80,
  runs: 1600,
  limit: 2000,
  url: "http://localhost:3000/w/acme/settings/billing",
};

const n = (v: number) => v.toLocaleString("en-US");

export function subject({ workspaceName, percent }: UsageLimitProps): string {
  return percent === 100 ? `${workspaceName} reached this month's run limit on Baton` : `${workspaceName} used 80% of this month's runs on Baton`;
}

export default function UsageLimit({ workspaceName, planName, percent, runs, limit, url }: UsageLimitProps) {
  return (
    <EmailLayout
      preview={`${n(runs)} of ${n(limit)} runs this month on ${planName}.`}
      title={percent === 100 ? "Run limit reached" : "80% of this month's runs used"}
      action={{ label: "See usage and plans", url }}
      footer="You get this email at most twice a month, at 80% and at 100% of the run quota. If the runs left are enough, you can ignore this email."
    >
      <Text style={text}>
        {workspaceName} has created {n(runs)} of the {n(limit)} flow runs its {planName} plan includes this month.
      </Text>
      <Text style={text}>
        {percent === 100
          ? "New runs, including scheduled ones, are refused until the month ends or the workspace upgrades."
          : "When the limit is reached, new runs, including scheduled ones, are refused until the month ends."}
      </Text>
    </EmailLayout>
  );
}

UsageLimit.PreviewProps = PreviewProps;
