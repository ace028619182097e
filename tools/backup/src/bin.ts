import { run } from '@clara/shared/cli'
import { BACKUP_UMASK } from '@clara/shared/perms'
import { main } from './main.js'
// Everything the run and the tools it starts create is at most 750/640 (design §9).
process.umask(BACKUP_UMASK)
run(main, 'clara-backup')
