/**
 * What belongs to one C-LARA project (clara-facts §1.4–§1.6), for bringing a single project back:
 * its row in `clara_app_claraproject`, every row that reaches it through a foreign key (found in the
 * schema itself: permissions, content, acknowledgements, format preferences, human-audio settings,
 * actions, API calls, questionnaires …), and the rows that name it by its `internal_id` string,
 * which no foreign key ties to it. On disk: its source and image folders (by internal_id) and its
 * three compiled folders (by id), which the run holds as the `source_exports/<id>` and
 * `compiled_exports/<id>` units.
 */
import { COMPILED_FOLDERS, CONTENT_FOLDER, IMAGE_FOLDER } from './data-folders.js'

export const PROJECT_TABLE = 'clara_app_claraproject'

/** Tables whose `project_id` column holds the project's internal_id string, not a foreign key. */
export const INTERNAL_ID_TABLES: { table: string; column: string }[] = [
  { table: 'orm_image_metadata', column: 'project_id' },
  { table: 'orm_image_description', column: 'project_id' },
  { table: 'clara_app_archivedimagemetadata', column: 'project_id' },
]

/**
 * Tables never brought back with a project although a foreign key may lead to them: the admin log
 * (a record of what admins did, generic over every model) and django_q's task queue.
 */
export const NOT_PROJECT_TABLES = new Set(['django_admin_log', 'django_q_task', 'django_q_schedule', 'django_q_ormq'])

/** The zip-unit domains holding one project each, unit named by the project id. */
export const PROJECT_UNIT_DOMAINS = ['source_exports', 'compiled_exports'] as const

/** Folders of a project, relative to $CLARA. */
export const projectFolders = (id: number | string, internalId: string): string[] => [
  `${CONTENT_FOLDER}/${internalId}`,
  `${IMAGE_FOLDER}/${internalId}`,
  ...Object.values(COMPILED_FOLDERS).map((f) => `${f}/${id}`),
]
