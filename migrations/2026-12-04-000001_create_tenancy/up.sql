-- Workspaces, their sending domains, their SES tenants (one per region), each tenant's
-- status history and reputation findings.

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
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    -- One tenant per workspace and region; a name is never shared within a region.
    UNIQUE (workspace_id, region),
    UNIQUE (region, name)
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
