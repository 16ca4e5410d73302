// Core schema for background jobs: the known jobs (schedule, lease, last run), their run log and the work queue.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('core_jobs', (t) => {
    t.string('id', 200).primary(); // '<owner>.<local id>', e.g. 'dsmanager.sync'
    t.string('owner', 100).notNullable(); // plugin name or 'core'
    t.string('kind', 10).notNullable(); // scheduled | queue
    t.string('schedule', 200).nullable(); // 'cron */5 * * * *', 'cron 0 3 * * * tz=Europe/Berlin', 'every 60000ms'; null for queues
    t.string('scope', 10).nullable(); // global | local; null for queues
    t.string('description', 500).nullable();
    t.string('next_run_at', 30).nullable();
    t.string('last_run_at', 30).nullable();
    t.string('last_status', 10).nullable(); // ok | failed | timeout
    t.integer('last_duration_ms').nullable();
    t.text('last_error').nullable();
    t.integer('consecutive_failures').notNullable().defaultTo(0);
    t.string('lease_owner', 200).nullable();
    t.string('lease_until', 30).nullable();
    t.string('run_requested_at', 30).nullable(); // set by "Run now", cleared when a run starts
    t.string('updated_at', 30).notNullable();
    // The due-jobs query is `next_run_at <= now or run_requested_at is not null`: one index per branch.
    t.index(['next_run_at'], 'core_jobs_next_run_at_index');
    t.index(['run_requested_at'], 'core_jobs_run_requested_at_index');
  });

  await knex.schema.createTable('core_job_runs', (t) => {
    t.increments('id');
    t.string('job_id', 200).notNullable();
    t.string('started_at', 30).notNullable();
    t.string('finished_at', 30).nullable();
    t.integer('duration_ms').nullable();
    t.string('status', 10).notNullable(); // running | ok | failed | timeout
    t.text('error').nullable();
    t.text('counts').nullable(); // JSON object of named counters
    t.string('trigger', 10).notNullable(); // schedule | manual | queue | cli
    t.integer('queue_item_id').nullable();
    t.integer('attempt').nullable(); // queue items: which attempt this run was
    t.string('runner', 200).nullable(); // process id of the JobSystem that ran it
    t.index(['job_id', 'started_at'], 'core_job_runs_job_started_index');
    t.index(['started_at'], 'core_job_runs_started_index'); // pruning old runs
    t.index(['queue_item_id'], 'core_job_runs_queue_item_index');
  });

  await knex.schema.createTable('core_job_queue', (t) => {
    t.increments('id');
    t.string('job_id', 200).notNullable();
    t.text('payload').notNullable(); // JSON
    t.string('status', 10).notNullable(); // pending | running | done | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('max_attempts').notNullable();
    t.string('run_at', 30).notNullable();
    t.string('locked_by', 200).nullable();
    t.string('locked_until', 30).nullable();
    t.text('last_error').nullable();
    t.string('dedupe_key', 200).nullable();
    // = dedupe_key while the item is pending or running, null afterwards; the unique index makes
    // concurrent enqueues with one key collapse into one item (NULLs never collide on either engine).
    t.string('dedupe_active', 200).nullable();
    t.string('created_at', 30).notNullable();
    t.string('finished_at', 30).nullable();
    t.index(['status', 'run_at'], 'core_job_queue_status_run_at_index');
    t.index(['job_id', 'status'], 'core_job_queue_job_status_index');
    t.index(['status', 'locked_until'], 'core_job_queue_status_locked_index');
    t.unique(['job_id', 'dedupe_active'], { indexName: 'core_job_queue_dedupe_unique' });
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['core_job_queue', 'core_job_runs', 'core_jobs']) {
    await knex.schema.dropTableIfExists(t);
  }
}
