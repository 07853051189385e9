"use client";

import { useEffect, useState } from "react";

/** The current time, refreshed every `everyMs` while `ticking`: running durations and bars grow without a refetch. */
export function useNow(everyMs: number, ticking = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return;
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs, ticking]);
  return now;
}
