import t from 'tap'
import { checkPgDumpVersion, parsePgVersion } from '../src/pg-version.js'

/** The error `f` throws (or null). */
function thrown(f: () => unknown): { exitCode?: number; message: string } | null {
  try {
    f()
    return null
  } catch (err) {
    return err as { exitCode?: number; message: string }
  }
}

t.test('parsePgVersion', async (t) => {
  t.same(parsePgVersion('pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)'), { text: '15.20', major: 15 })
  t.same(parsePgVersion('15.20 (Debian 15.20-0+deb12u1)'), { text: '15.20', major: 15 })
  t.same(parsePgVersion('16.2'), { text: '16.2', major: 16 })
  t.same(parsePgVersion('99.0'), { text: '99.0', major: 99 })
  t.same(parsePgVersion('17beta1'), { text: '17beta1', major: 17 })
  t.same(parsePgVersion('9.6.24'), { text: '9.6.24', major: 9.6 })
  t.match(thrown(() => parsePgVersion('no digits')), { exitCode: 3 })
})

t.test('checkPgDumpVersion: older pg_dump refused with both versions named, same or newer accepted', async (t) => {
  t.match(thrown(() => checkPgDumpVersion(parsePgVersion('15.20'), parsePgVersion('16.1'))), { exitCode: 3, message: /^pg_dump 15\.20 is older than the PostgreSQL server 16\.1/ })
  t.match(thrown(() => checkPgDumpVersion(parsePgVersion('9.5.1'), parsePgVersion('9.6.0'))), { exitCode: 3 })
  t.doesNotThrow(() => checkPgDumpVersion(parsePgVersion('15.20'), parsePgVersion('15.1')))
  t.doesNotThrow(() => checkPgDumpVersion(parsePgVersion('16.2'), parsePgVersion('15.20')))
  t.doesNotThrow(() => checkPgDumpVersion(parsePgVersion('10.1'), parsePgVersion('9.6.3')))
})
