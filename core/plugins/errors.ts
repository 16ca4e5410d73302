// Every reason a plugin can be refused or disabled, each with a stable code (one file, as in Fastify).
export const PluginErrorCodes = {
  /** The module threw while being imported, or its default export is not a plugin. */
  IMPORT: 'TRELLIS_ERR_PLUGIN_IMPORT',
  /** The plugin object is missing meta, register() or has the wrong shape. */
  INVALID: 'TRELLIS_ERR_PLUGIN_INVALID',
  /** meta.name is not kebab-case, or tablePrefix is not snake_case. */
  NAME: 'TRELLIS_ERR_PLUGIN_NAME',
  /** Another plugin with the same name, or the same table prefix, is already loaded. */
  DUPLICATE: 'TRELLIS_ERR_PLUGIN_DUPLICATE',
  /** meta.apiVersion is not a valid range, or it does not include PLUGIN_API_VERSION. */
  API_VERSION: 'TRELLIS_ERR_PLUGIN_API_VERSION',
  /** A name in dependsOn is not enabled in plugin.config.ts. */
  MISSING_DEPENDENCY: 'TRELLIS_ERR_PLUGIN_MISSING_DEPENDENCY',
  /** dependsOn forms a cycle. */
  DEPENDENCY_CYCLE: 'TRELLIS_ERR_PLUGIN_DEPENDENCY_CYCLE',
  /** A plugin this one depends on was disabled, so this one is too (cascade). */
  DEPENDENCY_FAILED: 'TRELLIS_ERR_PLUGIN_DEPENDENCY_FAILED',
  /** Settings (defaults ← config options ← saved values) do not pass the plugin's schema. */
  SETTINGS: 'TRELLIS_ERR_PLUGIN_SETTINGS',
  /** A migration threw; knex rolled back every migration of that boot's batch (they run in one transaction). */
  MIGRATION: 'TRELLIS_ERR_PLUGIN_MIGRATION',
  /** A migration created a table outside the plugin's prefix; that boot's batch was rolled back. */
  TABLE_PREFIX: 'TRELLIS_ERR_PLUGIN_TABLE_PREFIX',
  /** register() threw or rejected. */
  REGISTER: 'TRELLIS_ERR_PLUGIN_REGISTER',
  /** register() did not settle within the timeout. */
  REGISTER_TIMEOUT: 'TRELLIS_ERR_PLUGIN_REGISTER_TIMEOUT',
  /** register() asked for something already taken (a job id, a processing module name). */
  CONFLICT: 'TRELLIS_ERR_PLUGIN_CONFLICT',
} as const;

export type PluginErrorCode = (typeof PluginErrorCodes)[keyof typeof PluginErrorCodes];

export type PluginPhase = 'import' | 'meta' | 'dependencies' | 'settings' | 'migrations' | 'register' | 'commit';

export class PluginError extends Error {
  readonly code: PluginErrorCode;
  readonly phase: PluginPhase;
  readonly plugin: string;
  constructor(plugin: string, phase: PluginPhase, code: PluginErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PluginError';
    this.plugin = plugin;
    this.phase = phase;
    this.code = code;
  }
}
