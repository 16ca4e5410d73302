-- PROPOSED: the index bench/billing/proposed/renewals.ts pages due services through (as a core
-- migration: knex.schema.alterTable('core_services', (t) => t.index(['status', 'id']))).
create index core_services_status_id_index on core_services (status, id);
