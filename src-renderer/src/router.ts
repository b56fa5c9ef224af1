import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import AlignmentView from './views/AlignmentView.vue'
import DataView from './views/DataView.vue'
import ExploreView from './views/ExploreView.vue'
import JobsView from './views/JobsView.vue'
import ModelsView from './views/ModelsView.vue'
import ProjectView from './views/ProjectView.vue'
import ResultsView from './views/ResultsView.vue'
import SystemView from './views/SystemView.vue'

/** The sidebar, in order; Alt+N opens the N-th page. */
export const pages = [
  { path: '/project', label: 'Project', component: ProjectView },
  { path: '/data', label: 'Data', component: DataView },
  { path: '/models', label: 'Models', component: ModelsView },
  { path: '/alignment', label: 'Alignment', component: AlignmentView },
  { path: '/results', label: 'Results', component: ResultsView },
  { path: '/jobs', label: 'Jobs', component: JobsView },
  { path: '/explore', label: 'Explore', component: ExploreView },
] as const

const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/project' },
  ...pages.map(
    (p): RouteRecordRaw => ({
      path: p.path,
      component: p.component,
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
