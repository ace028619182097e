/**
 * The global C-LARA data roots outside projects, legacy content and the audio cache
 * (clara-facts.md §2.2, §5.3–§5.5, §1.1): each becomes one unit of the `media` domain.
 */
export interface MediaRoot {
  /** unit name */
  unit: string
  /** path relative to $CLARA (a directory, or a single file) */
  path: string
  /** holds secrets: encrypted when the run encrypts */
  secret?: boolean
  note: string
}

export const MEDIA_ROOTS: MediaRoot[] = [
  { unit: 'gloss_images', path: 'gloss_images', note: 'picture-gloss images (orm_image_gloss_metadata points here)' },
  { unit: 'prompt_templates', path: 'prompt_templates', note: 'tracked in git AND edited at runtime' },
  { unit: 'phonetic_orthography', path: 'phonetic_orthography', note: 'orthography and accent files' },
  { unit: 'phonetic_lexicon', path: 'phonetic_lexicon', note: 'retired SQLite lexicon files' },
  { unit: 'mediafiles', path: 'mediafiles', note: 'Django MEDIA_ROOT (profile pictures)' },
  { unit: 'audio_tts_repository', path: 'audio/tts_repository', note: 'retired non-ORM audio repository' },
  { unit: 'images_image_repository', path: 'images/image_repository', note: 'retired non-ORM image repository' },
  { unit: 'app_config', path: 'clara_app/config.ini', note: "C-LARA's path configuration" },
  { unit: 'readspeaker_key', path: 'clara_app/clara_core/readspeaker_license_key.txt', secret: true, note: 'ReadSpeaker licence key (secret)' },
]

/** What is never data: scratch, caches and sockets. */
export const MEDIA_EXCLUDES = ['tmp', '__pycache__', '*.pyc', 'gunicorn.sock']
