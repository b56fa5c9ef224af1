import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { connect } from './api/connect'
import { router } from './router'
import { setClient } from './stores/client'
import ConnectionProblem from './views/ConnectionProblem.vue'
import './styles.css'

const connection = connect()
if (connection.client) {
  setClient(connection.client)
  createApp(App).use(createPinia()).use(router).mount('#app')
} else {
  createApp(ConnectionProblem, { message: connection.problem }).mount('#app')
}
