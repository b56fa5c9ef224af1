import type { AppInfo } from './contract'
import type { Handlers } from './dispatcher'
import { AppError } from './errors'
import type { Session } from '../app/session'
import { homedir } from 'node:os'
import { listFolder } from '../files/listFolder'

export interface HandlerDeps {
  session: Session
  app: Omit<AppInfo, 'projectsDir'>
  /** The native folder picker; only the desktop window has one. */
  pickFolder?: (title: string) => Promise<string | null>
}

export function createHandlers({ session, app, pickFolder }: HandlerDeps): Handlers {
  return {
    'app.info': () => ({ ...app, projectsDir: session.projectsDir() }),
    'project.create': ({ path, name }) => session.create(path, name),
    'project.createExample': ({ path, example }) => session.createExample(path, example),
    'project.open': ({ path }) => session.open(path),
    'project.current': () => session.current(),
    'project.report': () => session.report(app),
    'project.info': ({ path }) => session.describe(path),
    'project.contents': ({ path }) => session.contentsAt(path),
    'project.rename': ({ name }) => session.rename(name),
    'project.close': async () => {
      await session.close()
      return null
    },
    'project.recent': () => session.recent.list(),
    'project.forget': ({ path }) => session.recent.forget(path),
    'dialog.pickFolder': ({ title }) => {
      if (!pickFolder) throw new AppError('user', 'There is no folder picker here; type the folder path instead.')
      return pickFolder(title)
    },
    'system.doctor': () => session.doctor(),
    'settings.get': () => session.getSettings(),
    'settings.set': (settings) => session.setSettings(settings),
    'files.inspect': ({ path, header }) => session.inspect(path, header),
    'files.list': ({ path }) => listFolder(path ?? homedir()),
    'models.list': () => session.listModels(),
    'models.describe': ({ id }) => session.describeModel(id),
    'models.add': ({ path }) => session.addModel(path),
    'models.remove': ({ id }) => session.removeModel(id),
    'datasets.thumbnails': ({ id, offset, limit, size, indices, orderOf }) => session.thumbnails(id, offset, limit, size, indices, orderOf),
    'datasets.objects': ({ id, orderOf }) => session.objects(id, orderOf),
    'datasets.lineUp': ({ dataset, to }) => session.lineUp(dataset, to),
    'triplets.browse': (request) => session.browseTriplets(request),
    'runs.record': (run) => session.recordRun(run),
    'runs.list': () => session.listRuns(),
    'runs.remove': ({ id }) => session.removeRun(id),
    'datasets.matrix': ({ id, subject, maxSize, labelsFrom }) => session.matrix(id, subject, maxSize, labelsFrom),
    'runs.plan': ({ id, maxSize }) => session.plan(id, maxSize),
    'runs.attention': ({ id, size }) => session.attention(id, size),
    'datasets.exportAlignet': ({ id, path }) => session.exportAlignet(id, path),
    'runs.exportTransform': ({ id, path }) => session.exportTransform(id, path),
    'runs.exportPlan': ({ id, path }) => session.exportPlan(id, path),
    'datasets.list': () => session.listDatasets(),
    'datasets.rename': ({ id, name }) => session.renameDataset(id, name),
    'datasets.remove': ({ id }) => session.removeDataset(id),
    'jobs.list': () => session.listJobs(),
    'jobs.metrics': ({ id }) => session.jobMetrics(id),
    'jobs.start': (spec) => session.startJob(spec),
    'jobs.resume': ({ id }) => session.resumeJob(id),
    'jobs.cancel': ({ id }) => session.cancelJob(id),
    'jobs.discard': ({ id }) => session.discardJob(id),
    'jobs.spec': ({ id }) => session.jobSpec(id),
    'jobs.script': ({ job, spec, command, ...resources }) => session.jobScript(job !== undefined ? { job } : { spec: spec! }, resources, command),
  }
}
