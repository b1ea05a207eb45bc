-- Every change to what GET /tenants/status shows is announced on the channel
-- `workspace_status_changed` with the workspace's id as payload, whoever makes it (any
-- replica, the reconcile command, an operator in psql). Each replica's status cache
-- listens and evicts that workspace. NOTIFY is delivered at commit and deduplicated
-- within a transaction, so a transaction touching many rows of one workspace costs one
-- message. TRUNCATE sends '*': everything.

CREATE FUNCTION notify_workspace_status_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_LEVEL = 'STATEMENT' THEN
        PERFORM pg_notify('workspace_status_changed', '*');
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM pg_notify('workspace_status_changed', OLD.workspace_id::text);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM pg_notify('workspace_status_changed', NEW.workspace_id::text);
    END IF;
    RETURN NULL;
END
$$;

-- Only the columns the status read returns: leases, schedules and step bookkeeping
-- change far more often and must not evict anything.
CREATE TRIGGER tenants_status_changed
    AFTER UPDATE ON tenants FOR EACH ROW
    WHEN ((OLD.id, OLD.workspace_id, OLD.region, OLD.name, OLD.configuration_set_name,
           OLD.arn, OLD.provisioning_state, OLD.sending_status, OLD.last_checked_at)
          IS DISTINCT FROM
          (NEW.id, NEW.workspace_id, NEW.region, NEW.name, NEW.configuration_set_name,
           NEW.arn, NEW.provisioning_state, NEW.sending_status, NEW.last_checked_at))
    EXECUTE FUNCTION notify_workspace_status_changed();
CREATE TRIGGER tenants_added_or_removed
    AFTER INSERT OR DELETE ON tenants FOR EACH ROW
    EXECUTE FUNCTION notify_workspace_status_changed();
CREATE TRIGGER tenants_truncated
    AFTER TRUNCATE ON tenants FOR EACH STATEMENT
    EXECUTE FUNCTION notify_workspace_status_changed();

-- Domains count per region, those not being deleted: provisioning -> active changes
-- nothing shown.
CREATE TRIGGER domains_status_changed
    AFTER UPDATE ON domains FOR EACH ROW
    WHEN ((OLD.workspace_id, OLD.region, OLD.state = 'deleting')
          IS DISTINCT FROM (NEW.workspace_id, NEW.region, NEW.state = 'deleting'))
    EXECUTE FUNCTION notify_workspace_status_changed();
CREATE TRIGGER domains_added_or_removed
    AFTER INSERT OR DELETE ON domains FOR EACH ROW
    EXECUTE FUNCTION notify_workspace_status_changed();
CREATE TRIGGER domains_truncated
    AFTER TRUNCATE ON domains FOR EACH STATEMENT
    EXECUTE FUNCTION notify_workspace_status_changed();
