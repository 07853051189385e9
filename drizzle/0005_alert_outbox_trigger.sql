-- Run-state alerts are queued by the database, in the statement that writes the state history, so
-- every path that changes a run's state (agents' reports, the orchestrator, the late marker, the
-- lease reaper, cancels and retries) queues them in the same transaction: an alert is never lost
-- and, with the unique (destination, dedupe key), never queued twice. A statement-level trigger
-- costs one query per statement, however many states it wrote, and finds nothing quickly when the
-- workspace has no automations.
CREATE FUNCTION baton_queue_run_state_alerts() RETURNS trigger LANGUAGE plpgsql AS $$
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
        WHEN s.type = 'CANCELLED' THEN 'Cancelled'
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
--> statement-breakpoint
CREATE TRIGGER flow_run_states_queue_alerts
  AFTER INSERT ON flow_run_states
  REFERENCING NEW TABLE AS new_states
  FOR EACH STATEMENT EXECUTE FUNCTION baton_queue_run_state_alerts();
