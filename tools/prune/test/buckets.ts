import t from 'tap'
import { isoWeek, parseAge, utcDay } from '../src/buckets.js'

t.test('isoWeek follows ISO 8601 across year ends', async (t) => {
  t.equal(isoWeek(new Date('2026-01-01T12:00:00Z')), '2026-W01', 'a Thursday opens week 1')
  t.equal(isoWeek(new Date('2027-01-01T00:00:00Z')), '2026-W53', 'a Friday belongs to the old year')
  t.equal(isoWeek(new Date('2024-12-30T23:59:59Z')), '2025-W01', 'a Monday may belong to the new year')
  t.equal(isoWeek(new Date('2026-11-01T02:00:00Z')), '2026-W44', 'Sunday ends its week')
  t.equal(isoWeek(new Date('2026-11-02T02:00:00Z')), '2026-W45', 'Monday starts the next')
})

t.test('utcDay is the UTC date, whatever the local zone', async (t) => {
  t.equal(utcDay(new Date('2026-11-27T23:59:59Z')), '2026-11-27')
  t.equal(utcDay(new Date('2026-11-28T00:00:00+02:00')), '2026-11-27')
})

t.test('parseAge', async (t) => {
  t.equal(parseAge('48h'), 48 * 3600_000)
  t.equal(parseAge('7d'), 7 * 86_400_000)
  t.equal(parseAge('2w'), 14 * 86_400_000)
  t.equal(parseAge('90m'), 90 * 60_000)
  t.equal(parseAge('12'), 12 * 3600_000, 'a bare number is hours')
  t.equal(parseAge('soon'), null)
  t.equal(parseAge('-3d'), null)
})
