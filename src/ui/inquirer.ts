// Named re-exports, so the bundler keeps only these two prompts of @inquirer/prompts (the editor
// prompt alone would bring a charset detector and an encoding library into every start-up).
export {confirm, password} from '@inquirer/prompts'
