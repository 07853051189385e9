-- A run the catch-up step skips (CANCELLED named Skipped, docs/scheduling.md#catch-up) is not a
-- cancel: "Cancelled" automations fire for runs a person, an agent or a lease expiry cancelled,
-- not for every slot an outage made obsolete (one outage could otherwise queue thousands of
-- alerts). The runs kept by the policy still go Late, and "Late" automations fire for those.
CREATE OR REPLACE FUNCTION baton_queue_run_state_alerts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO alert_deliveries (workspace_id, automation_id, destination_id, kind, dedupe_key, event)
  SELECT s.workspace_id, a.id, d.id, 'alert', 'state:' || s.id,
         jsonb_build_object('trigger', 'run_state', 'event', e.event, 'runId', s.flow_run_id, 'stateType', s.type,
                            'stateName', s.name, 'message', s.message, 'attempt', s.attempt, 'at', s.timestamp)
    FROM new_states s
    CROSS JOIN LATERAL (SELECT CASE
        WHEN s.type = 'COMPLETED' THEN 'Completed'
        WHEN s.type = 'FAILED' THEN 'Failed'
        WHEN s.type = 'CRASHED' THEN 'Crashed'
        WHEN s.type = 'CANCELLED' AND s.name <> 'Skipped' THEN 'Cancelled'
        WHEN s.type = 'SCHEDULED' AND s.name = 'Late' THEN 'Late'
      END AS event) e
    JOIN automations a ON a.workspace_id = s.workspace_id AND a.enabled AND a.trigger_kind = 'run_state'
                      AND e.event = ANY (a.trigger_states)
    JOIN flow_runs r ON r.id = s.flow_run_id
    JOIN alert_destinations d ON d.automation_id = a.id AND d.disabled_at IS NULL
   WHERE e.event IS NOT NULL
     AND (cardinality(a.flow_ids) = 0 OR r.flow_id = ANY (a.flow_ids))
     AND (cardinality(a.deployment_ids) = 0 OR r.deployment_id = ANY (a.deployment_ids))
     AND (cardinality(a.tags) = 0 OR r.tags && a.tags)
  ON CONFLICT DO NOTHING;
  IF FOUND THEN
    PERFORM pg_notify('baton_alerts', '');
  END IF;
  RETURN NULL;
END
$$;
