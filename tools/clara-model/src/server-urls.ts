/**
 * Every server URL C-LARA (fa5b553) writes into a rendered page, and where it comes from: the
 * renderer (`clara_app/clara_renderer.py`), its Jinja templates (`templates/clara_page.html`,
 * `concordance_page.html`, the two vocabulary lists, `clara_page_questionnaire.html`), the
 * annotators whose values the templates print (`clara_image_gloss_annotator.py`,
 * `clara_audio_annotator.py`, `clara_annotated_images.py`) and the JS/CSS copied into `static/`
 * (`static/clara_scripts.js`, `clara_styles_parametrised.css`). A compiled zip is self-contained
 * only when each of these is rewritten to something inside it.
 *
 * Not server URLs, so left as they are: `./static/…` and `./multimedia/…` (self-contained renders
 * copy page, segment and word audio and page images there), `page_<n>.html`,
 * `concordance_<lemma>.html` and `vocab_list_*.html` (relative), the script's `?segmentUid=` links,
 * and `inflection_table_url` (an external dictionary site, `clara_inflection_tables.py`). The
 * questionnaire template prints no URL at all. `overview.html` of the image pipeline v2 holds
 * `/accounts/accounts/projects/serve_coherent_images_v2_file/…` URLs, but it lives in the project's
 * source folder, not in a rendered dir.
 */

export interface ServerUrl {
  /** the URL path prefix, as the server mounts it (`clara_app/urls.py` under `/accounts/`) */
  prefix: string
  /** what follows the prefix */
  shape: string
  /** the attributes it is written into */
  attributes: readonly string[]
  /** who writes it */
  emitted_by: string
  /** the view that serves it, and what that view reads */
  served_by: string
}

export const SERVER_URLS = {
  /** "Words"/"Sounds": the same page of the other text type */
  renderedText: {
    prefix: '/accounts/rendered_texts/',
    shape: '<project id>/<normal|phonetic>/page_<n>.html',
    attributes: ['href'],
    emitted_by: 'templates/clara_page.html (header and footer nav, when the other type was rendered)',
    served_by: 'serving_content_views.serve_rendered_text: the rendered dir of that type',
  },
  /** concordance thumbnails */
  projectImage: {
    prefix: '/accounts/projects/serve_project_image/',
    shape: '<internal_id>/<thumbnail file>',
    attributes: ['src'],
    emitted_by: 'templates/concordance_page.html (<img src> of an Image element, thumbnail_src from clara_annotated_images.py)',
    served_by: 'serving_content_views.serve_project_image: images/image_repository_orm/<internal_id>/<file>',
  },
  /** picture glosses: the popup image of a word */
  imageGloss: {
    prefix: '/accounts/image_gloss_file/',
    shape: '<orm_image_gloss_metadata.id>/',
    attributes: ['data-image-gloss'],
    emitted_by: 'clara_image_gloss_annotator.py (annotations["image_gloss_url"]), printed by templates/clara_page.html on words and SVG areas; static/clara_scripts.js loads it as an <img src>',
    served_by: 'serving_content_views.image_gloss_file: the file at orm_image_gloss_metadata.file_path',
  },
  /** audio served from the repository (renders that were not self-contained; C-LARA's content-zip builder rewrites these) */
  audioFile: {
    prefix: '/accounts/serve_audio_file/',
    shape: '<engine>/<language>/<voice>/<file>',
    attributes: ['src', 'data-audio', 'data-segment-audio'],
    emitted_by: 'renders that were not self-contained (clara_make_content_zip.py rewrites them in <source src> and <audio src>)',
    served_by: 'serving_content_views.serve_audio_file: audio/tts_repository_orm/<engine>/<language>/<voice>/<file>',
  },
} as const satisfies Record<string, ServerUrl>

export type ServerUrlKind = keyof typeof SERVER_URLS

/** The text types whose pages link to each other (`phonetic_or_normal` in the URL). */
export const LINKED_TEXT_TYPES = ['normal', 'phonetic'] as const

/** The gloss table and the columns that resolve an image_gloss_file URL. */
export const GLOSS_TABLE = 'orm_image_gloss_metadata'
