/** Worker thread: zips the unit records it is sent (several at once) with the options it was started with. */
import { parentPort, workerData } from 'node:worker_threads'
import type { UnitRecord } from '@clara/shared/records'
import type { ZipOptions } from './options.js'
import { zipUnit } from './zip-unit.js'

const opts = workerData as ZipOptions
parentPort!.on('message', ({ id, rec, quickTried }: { id: number; rec: UnitRecord; quickTried: boolean }) => {
  zipUnit(rec, opts, quickTried).then((result) => parentPort!.postMessage({ id, result }))
})
