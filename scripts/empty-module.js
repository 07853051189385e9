// Stands in for the `server-only` marker outside Next (custom server bundle, tests).
export {};
