-- A "stopped" audit row: the action node was stopped cleanly (by an
-- operator, its services with it). The policy's rate and restart windows
-- count runs after the newest such row only: the next start is a new life
-- of the stack, and restarts of the previous one say nothing about it.
ALTER TABLE action_audit DROP CONSTRAINT action_audit_phase_check;
ALTER TABLE action_audit ADD CONSTRAINT action_audit_phase_check
  CHECK (phase IN ('before', 'after', 'refused', 'stopped'));
