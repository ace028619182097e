/**
 * The SQL side of a project (clara-facts §1.5, §1.6): every table that describes a project, read in
 * one read-only snapshot and grouped by project. Rows keep all their columns, normalised.
 */
import type { Db, Row } from '@clara/shared/db'
import { GLOSS_TABLE } from '@clara/clara-model/server-urls'
import { selectRows, tableColumns } from './db-columns.js'

/** The auth_user columns a backup may show: never the password hash. */
export const USER_FIELDS = ['id', 'username', 'email', 'first_name', 'last_name', 'is_active', 'is_staff', 'is_superuser'] as const

/** One-row-per-project tables (each has a UNIQUE project_id). */
export const ONE_TO_ONE = {
  formatpreferences: 'clara_app_formatpreferences',
  acknowledgements: 'clara_app_acknowledgements',
  humanaudioinfo: 'clara_app_humanaudioinfo',
  phonetichumanaudioinfo: 'clara_app_phonetichumanaudioinfo',
} as const
export type OneToOne = keyof typeof ONE_TO_ONE

export interface ProjectRows {
  project: Row
  owner: Row | null
  permissions: { user: Row | null; role: unknown; id: unknown }[]
  content: Row[]
  rows: Record<OneToOne, Row | null>
  images: Row[]
  image_descriptions: Row[]
}

export interface AllRows {
  projects: ProjectRows[]
  /** image rows keyed by their project_id string (internal_id), including ones no project owns */
  imagesByIid: Map<string, Row[]>
  descriptionsByIid: Map<string, Row[]>
  /** picture-gloss rows (`orm_image_gloss_metadata`: id, file_path); empty when the table does not exist */
  gloss: Row[]
}

function groupBy(rows: Row[], key: string): Map<string, Row[]> {
  const m = new Map<string, Row[]>()
  for (const r of rows) {
    const k = String(r[key])
    const list = m.get(k)
    if (list) list.push(r)
    else m.set(k, [r])
  }
  return m
}

async function table(db: Db, name: string, tail = 'order by id'): Promise<Row[]> {
  return selectRows(db, name, await tableColumns(db, name), tail)
}

function publicUser(u: Row | undefined): Row | null {
  if (!u) return null
  const out: Row = {}
  for (const f of USER_FIELDS) out[f] = u[f] ?? null
  return out
}

/** A content row as listed: the password hash becomes `has_password`. */
function contentRow(r: Row): Row {
  const { password_hash, ...rest } = r
  return { ...rest, has_password: Boolean(password_hash) }
}

/** Read everything inside one read-only transaction, so the rows agree with each other. */
export async function loadRows(db: Db): Promise<AllRows> {
  await beginReadOnly(db)
  try {
    const projects = await table(db, 'clara_app_claraproject')
    const users = new Map((await table(db, 'auth_user')).map((u) => [String(u.id), u]))
    const perms = groupBy(await table(db, 'clara_app_projectpermissions'), 'project_id')
    const content = groupBy(await table(db, 'clara_app_content', 'where project_id is not null order by id'), 'project_id')
    const one: Record<string, Map<string, Row[]>> = {}
    for (const [k, t] of Object.entries(ONE_TO_ONE)) one[k] = groupBy(await table(db, t), 'project_id')
    const imagesByIid = groupBy(await table(db, 'orm_image_metadata'), 'project_id')
    const descriptionsByIid = groupBy(await table(db, 'orm_image_description'), 'project_id')
    const gloss = await glossRows(db)
    const list = projects.map((p): ProjectRows => {
      const id = String(p.id)
      const iid = String(p.internal_id)
      return {
        project: p,
        owner: publicUser(users.get(String(p.user_id))),
        permissions: (perms.get(id) ?? []).map((r) => ({ id: r.id, user: publicUser(users.get(String(r.user_id))), role: r.role })),
        content: (content.get(id) ?? []).map(contentRow),
        rows: Object.fromEntries(Object.keys(ONE_TO_ONE).map((k) => [k, one[k].get(id)?.[0] ?? null])) as Record<OneToOne, Row | null>,
        images: imagesByIid.get(iid) ?? [],
        image_descriptions: descriptionsByIid.get(iid) ?? [],
      }
    })
    return { projects: list, imagesByIid, descriptionsByIid, gloss }
  } finally {
    await endReadOnly(db)
  }
}

/** The columns that resolve an `/accounts/image_gloss_file/<id>/` URL (the table's text columns are not needed). */
async function glossRows(db: Db): Promise<Row[]> {
  const cols = await tableColumns(db, GLOSS_TABLE)
  const want = new Map([...cols].filter(([n]) => n === 'id' || n === 'file_path'))
  return want.size === 2 ? selectRows(db, GLOSS_TABLE, want, 'order by id') : []
}

async function beginReadOnly(db: Db): Promise<void> {
  if (db.engine === 'postgres') await db.exec('begin transaction isolation level repeatable read read only')
  else if (db.engine === 'mysql') await db.exec('start transaction with consistent snapshot, read only')
  else await db.exec('begin')
}

async function endReadOnly(db: Db): Promise<void> {
  await db.exec('rollback').catch(() => {})
}
