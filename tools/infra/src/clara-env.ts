/** What C-LARA reads from its environment and which of it is secret (clara-facts §1.1, §7). */
import type { RedactOptions } from '@clara/shared/redact'

/** Every variable C-LARA reads (settings.py and elsewhere), in the order the snapshot lists them. */
export const CLARA_VARS = [
  'CLARA',
  'CLARA_ENVIRONMENT',
  'DB_TYPE',
  'DATABASE_URL',
  'DJANGO_SECRET_KEY',
  'DJANGO_DEBUG',
  'FILE_STORAGE_TYPE',
  'AWS_ACCESS_KEY',
  'AWS_SECRET_ACCESS_KEY',
  'S3_BUCKET_NAME',
  'AWS_REGION',
  'OPENAI_API_KEY',
  'GEMINI_API_KEY',
  'DEEP_SEEK_API_KEY',
  'ANTHROPIC_API_KEY',
  'XAI_API_KEY',
  'ELEVEN_LABS_API_KEY',
  'GOOGLE_CREDENTIALS_JSON',
  'GOOGLE_APPLICATION_CREDENTIALS',
  'TREETAGGER',
  'TMPDIR',
  'DISABLE_COLLECTSTATIC',
] as const

/**
 * Values always redacted (§7 "Env secrets to redact"). DATABASE_URL is not here: only its
 * password is secret, and the URL-password rule takes it out. S3_BUCKET_NAME is "sensitive-ish"
 * in §7; it is redacted by default (`--keep-name S3_BUCKET_NAME` keeps it).
 */
export const CLARA_SECRET_VARS = [
  'DJANGO_SECRET_KEY',
  'AWS_ACCESS_KEY',
  'AWS_SECRET_ACCESS_KEY',
  'OPENAI_API_KEY',
  'GEMINI_API_KEY',
  'DEEP_SEEK_API_KEY',
  'ANTHROPIC_API_KEY',
  'XAI_API_KEY',
  'ELEVEN_LABS_API_KEY',
  'GOOGLE_CREDENTIALS_JSON',
  'S3_BUCKET_NAME',
]

/** Values kept as they are: §7's non-secret names, AWS_REGION, and the usual shell variables. */
export const KEEP_VARS = [
  'CLARA',
  'CLARA_ENVIRONMENT',
  'DB_TYPE',
  'FILE_STORAGE_TYPE',
  'DJANGO_DEBUG',
  'TMPDIR',
  'TREETAGGER',
  'DISABLE_COLLECTSTATIC',
  'AWS_REGION',
  'GOOGLE_APPLICATION_CREDENTIALS',
  'DATABASE_URL',
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'TZ',
  'SHELL',
  'EDITOR',
  'PAGER',
  'PYTHONPATH',
  'VIRTUAL_ENV',
  'DJANGO_SETTINGS_MODULE',
]

/** The redaction rules for C-LARA inputs, plus names from `--redact-name` / `--keep-name`. */
export function claraRedactOptions(extraSecret: string[], extraKeep: string[], collect?: Set<string>): RedactOptions {
  const keep = new Set(extraKeep.map((n) => n.toUpperCase()))
  return {
    secretNames: [...CLARA_SECRET_VARS.filter((n) => !keep.has(n)), ...extraSecret],
    keepNames: [...KEEP_VARS, ...keep],
    redactExports: true,
    collect,
  }
}

/** Files that hold secrets (§7): listed in the snapshot as present/absent, never read. */
export function claraSecretFiles(clara: string, googleCredentialsPath?: string): string[] {
  const files = [`${clara}/clara_app/clara_core/readspeaker_license_key.txt`, '/tmp/google_credentials_from_env.json']
  if (googleCredentialsPath) files.push(googleCredentialsPath.replace(/^\$CLARA(?=\/|$)|^\$\{CLARA\}/, clara))
  return files
}
