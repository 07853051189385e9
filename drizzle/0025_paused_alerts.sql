-- A run that pauses for a person's input (PAUSED, docs/states.md#paused) can alert: "Paused"
-- automations fire when a run starts waiting for approval, e.g. a Slack message with its link.
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
        WHEN s.type = 'PAUSED' THEN 'Paused'
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
