/** Worker thread: zips the unit records it is sent (several at once) with the options it was started with. */
import { parentPort, workerData } from 'node:worker_threads'
import type { UnitRecord } from '@clara/shared/records'
import type { ZipOptions } from './options.js'
import { zipUnit } from './zip-unit.js'

const opts = workerData as ZipOptions
parentPort!.on('message', ({ id, rec }: { id: number; rec: UnitRecord }) => {
  zipUnit(rec, opts).then((result) => parentPort!.postMessage({ id, result }))
})
