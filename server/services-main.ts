import { prepareDatabase } from "./boot/prepare-database";
import { getDb } from "./db/client";
import { env, reloadEnv } from "./env";
import { startBackgroundServices } from "./services/background-services";

/**
 * `npm run services`: the background loops (scheduler, late marker, lease reaper, retention,
 * mailer) without the web server, for deployments that run them as their own process. Web
 * instances then set BATON_SERVICES=off. Advisory locks keep each loop single anyway.
 */
async function main() {
  const { url, embedded } = await prepareDatabase(env());
  reloadEnv();
  const services = startBackgroundServices(getDb(), url);
  console.log(`[baton] background services running (pid ${process.pid})`);
  const stop = async () => {
    await services.stop();
    await getDb().$client.end().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
}

main().catch((err) => {
  console.error(`[baton] services failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
