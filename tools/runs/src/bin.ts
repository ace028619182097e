import { run } from '@clara/shared/cli'
import { main } from './main.js'
run(main, 'clara-runs')
