import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import AlignmentView from './views/AlignmentView.vue'
import CountsPage from './components/CountsPage.vue'
import DataView from './views/DataView.vue'
import JobsView from './views/JobsView.vue'
import ProjectView from './views/ProjectView.vue'
import ResultsView from './views/ResultsView.vue'
import SystemView from './views/SystemView.vue'

const unavailable = (what: string): string => `${what} is not available in this version of HumanAlign.`

/** The sidebar, in order; Alt+N opens the N-th page. */
export const pages = [
  { path: '/project', label: 'Project', component: ProjectView },
  { path: '/data', label: 'Data', component: DataView },
  {
    path: '/models',
    label: 'Models',
    component: CountsPage,
    props: {
      purpose: 'Vision models registered in this project and the feature sets extracted with them.',
      counts: [
        { key: 'models', label: 'Models' },
        { key: 'featureSets', label: 'Feature sets' },
      ],
      notYet: unavailable('Adding models and extracting features'),
    },
  },
  { path: '/alignment', label: 'Alignment', component: AlignmentView },
  { path: '/results', label: 'Results', component: ResultsView },
  { path: '/jobs', label: 'Jobs', component: JobsView },
] as const

const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/project' },
  ...pages.map(
    (p): RouteRecordRaw => ({
      path: p.path,
      component: p.component,
      props: 'props' in p ? { title: p.label, ...p.props } : false,
      meta: { title: p.label },
    }),
  ),
  { path: '/system', component: SystemView, meta: { title: 'System' } },
  { path: '/:rest(.*)', redirect: '/project' },
]

export const router = createRouter({ history: createWebHashHistory(), routes })
router.afterEach((to) => {
  document.title = `${String(to.meta.title ?? '')} · HumanAlign`
})
