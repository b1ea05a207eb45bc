-- Workspaces, their sending domains, their SES tenants (one per region) with the
-- reconciler's queue and progress, each tenant's status history and reputation findings.

CREATE TABLE workspaces (
    id         uuid PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE domains (
    id           uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    -- One workspace per domain: the from-domain of a send decides its tenant.
    name         text NOT NULL UNIQUE,
    region       text NOT NULL,
    -- provisioning: recorded, identity not yet in SES; active: identity associated with
    -- the tenant; deleting: removed by the workspace, identity being removed from SES.
    state        text NOT NULL DEFAULT 'provisioning'
        CHECK (state IN ('provisioning', 'active', 'deleting')),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX domains_by_workspace_and_region ON domains (workspace_id, region);

CREATE TABLE tenants (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id           uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    region                 text NOT NULL,
    name                   text NOT NULL,
    configuration_set_name text NOT NULL,
    arn                    text,
    provisioning_state     text NOT NULL DEFAULT 'pending'
        CHECK (provisioning_state IN ('pending', 'ready', 'tearing_down')),
    sending_status         text NOT NULL DEFAULT 'DISABLED'
        CHECK (sending_status IN ('ENABLED', 'PAUSED', 'ENFORCED', 'DISABLED')),
    last_checked_at        timestamptz,
    -- The reputation refresh: when the tenant is next due (claims push it forward).
    next_refresh_at        timestamptz NOT NULL DEFAULT now(),
    -- The reconciler: the last step done, a generation bumped by every domain change,
    -- whether work is due and when, and the lease of the worker on it.
    provisioning_step      text NOT NULL DEFAULT 'nothing',
    generation             bigint NOT NULL DEFAULT 1,
    needs_work             boolean NOT NULL DEFAULT true,
    next_attempt_at        timestamptz NOT NULL DEFAULT now(),
    attempts               integer NOT NULL DEFAULT 0,
    last_error             text,
    lease_token            uuid,
    lease_until            timestamptz,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    -- One tenant per workspace and region; a name is never shared within a region.
    UNIQUE (workspace_id, region),
    UNIQUE (region, name)
);

CREATE INDEX tenants_due ON tenants (next_attempt_at) WHERE needs_work;
CREATE INDEX tenants_refresh_due ON tenants (next_refresh_at) WHERE provisioning_state = 'ready';

-- Account-level settings done once per region.
CREATE TABLE regions (
    region         text PRIMARY KEY,
    vdm_enabled_at timestamptz
);

CREATE TABLE tenant_status_changes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    from_status text,
    to_status   text NOT NULL,
    observed_at timestamptz NOT NULL
);
CREATE INDEX tenant_status_changes_by_tenant ON tenant_status_changes (tenant_id, id);

CREATE TABLE findings (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id    bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    finding_type text NOT NULL,
    severity     text NOT NULL CHECK (severity IN ('WARNING', 'CRITICAL')),
    rate         double precision,
    threshold    double precision,
    message      text NOT NULL,
    detected_at  timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    -- Resolved findings stay as history.
    resolved_at  timestamptz
);
CREATE UNIQUE INDEX findings_one_open_per_type
    ON findings (tenant_id, finding_type) WHERE resolved_at IS NULL;
