import { useCtx } from "../context";
import { Breakdown, Totals } from "./breakdown";

const EMAIL = ["emails_sent", "open_rate", "click_rate", "click_to_open_rate", "unsubscribes"];
const SOCIAL = ["social_reach", "social_impressions", "social_interactions", "engagement_rate", "followers"];

export function EmailSocial() {
  const { t } = useCtx();
  return (
    <>
      <Totals kpis={[...EMAIL, ...SOCIAL]} />
      <Breakdown dimension="campaign" kpis={EMAIL} caption={t("email_campaigns")} />
      <Breakdown dimension="network" kpis={SOCIAL} caption={t("networks")} />
    </>
  );
}
