import { rrulestr } from "rrule";
import type { Deployment } from "@/agent/protocol/deployments";

type Schedule = Pick<Deployment["schedules"][number], "kind" | "cron" | "intervalSeconds" | "rrule" | "timezone">;

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const pad = (n: number) => String(n).padStart(2, "0");
const plural = (n: number, unit: string) => `every ${n} ${unit}${n === 1 ? "" : "s"}`;
const num = (s: string) => (/^\d+$/.test(s) ? Number(s) : null);
const ordinal = (n: number) => `${n}${n % 10 === 1 && n !== 11 ? "st" : n % 10 === 2 && n !== 12 ? "nd" : n % 10 === 3 && n !== 13 ? "rd" : "th"}`;

/** "every 1 hour", "every 90 minutes", "every 2 days". */
export function describeInterval(seconds: number): string {
  if (seconds % 86_400 === 0) return plural(seconds / 86_400, "day");
  if (seconds % 3600 === 0) return plural(seconds / 3600, "hour");
  if (seconds % 60 === 0) return plural(seconds / 60, "minute");
  return plural(seconds, "second");
}

/** "on weekdays", "on Monday, Friday"; null for every day, false when it cannot say. */
function describeDays(dow: string): string | null | false {
  if (dow === "*") return null;
  if (dow === "1-5" || dow.toUpperCase() === "MON-FRI") return "on weekdays";
  if (dow === "0,6" || dow === "6,0" || dow.toUpperCase() === "SAT,SUN") return "on weekends";
  const names = dow.split(",").map((d) => {
    const n = num(d);
    return n !== null && n >= 0 && n <= 7 ? DAYS[n % 7] : null;
  });
  if (names.some((n) => n === null)) return false;
  return `on ${names.join(", ")}`;
}

/**
 * Common cron patterns in words ("every day at 09:00", "every 15 minutes", "at 06:30 on weekdays");
 * anything else as the expression itself.
 */
export function describeCron(expr: string): string {
  const parts = expr.trim().split(/\s+/);
  const fallback = `cron ${expr.trim()}`;
  if (parts.length !== 5) return fallback;
  const [min, hour, dom, mon, dow] = parts;
  const m = num(min);
  const h = num(hour);
  if (min === "*" && hour === "*" && dom === "*" && mon === "*" && dow === "*") return "every minute";
  const step = /^\*\/(\d+)$/;
  if (step.test(min) && hour === "*" && dom === "*" && mon === "*" && dow === "*") return plural(Number(step.exec(min)![1]), "minute");
  if (m !== null && hour === "*" && dom === "*" && mon === "*" && dow === "*") return m === 0 ? "every hour" : `every hour at minute ${m}`;
  if (m !== null && step.test(hour) && dom === "*" && mon === "*" && dow === "*") return `${plural(Number(step.exec(hour)![1]), "hour")} at minute ${m}`;
  if (m === null || h === null || h > 23 || m > 59) return fallback;
  const at = `${pad(h)}:${pad(m)}`;
  const days = describeDays(dow);
  if (days === false) return fallback;
  if (dom === "*" && mon === "*") return days ? `at ${at} ${days}` : `every day at ${at}`;
  const d = num(dom);
  const mo = num(mon);
  if (d !== null && mon === "*" && dow === "*") return `at ${at} on the ${ordinal(d)} of every month`;
  if (d !== null && mo !== null && mo >= 1 && mo <= 12 && dow === "*") return `every year on ${MONTHS[mo - 1]} ${d} at ${at}`;
  return fallback;
}

/** An RRULE in words (rrule's toText), or the rule itself when it cannot say. */
export function describeRrule(text: string): string {
  try {
    const words = rrulestr(text.replace(/\r\n?/g, "\n").trim()).toText();
    return words && !/error/i.test(words) ? words : `RRULE ${text}`;
  } catch {
    return `RRULE ${text}`;
  }
}

/** A schedule in words with its time zone: "every day at 09:00 Europe/Berlin", "every 1 hour". */
export function describeSchedule(s: Schedule): string {
  if (s.kind === "interval") return describeInterval(s.intervalSeconds ?? 0);
  const words = s.kind === "cron" ? describeCron(s.cron ?? "") : describeRrule(s.rrule ?? "");
  return `${words} ${s.timezone}`;
}
