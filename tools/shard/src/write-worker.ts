/** The writer thread behind ArchiveSink (see block-writer.ts). */
import { parentPort } from 'node:worker_threads'
import { blockWriter, type WriterMsg } from './block-writer.js'

const handle = blockWriter((r, transfer) => parentPort!.postMessage(r, transfer ?? []))
parentPort!.on('message', (m: WriterMsg) => handle(m))
