// The training panel's composition root: builds the page and its parts, connects them to each other,
// to the extension host (HostLink, protocol.ts) and to the engine (Engines), and keeps the saved
// state (saved-state.ts) that brings the panel back after a VS Code reload.
//
//   RunController   a run's status machine, its events, its checkpoints
//   GradientCheck   "Check gradients"
//   History         what the plots show, saved across reloads
//   Plots, FeatureView, Controls, Notices, header, progress   the page (ui/)

import { errorMessage } from '../engine';
import { PANEL_STATE_VERSION, type HostNotification } from '../protocol';
import { Engines, type PanelModel } from './engines';
import { FileSync } from './file-sync';
import { GradientCheck } from './gradient-check';
import { History } from './history';
import { HostLink, type VsCodeApi } from './host-link';
import { hostAutotuneOptions } from './kernel-choices';
import { RunController } from './run-controller';
import { readSavedState, settingsToSave, type PanelSettings, type SavedState } from './saved-state';
import { Controls } from './ui/controls';
import { byId } from './ui/dom';
import { FeatureView } from './ui/feature-view';
import { showAvailability, showModel } from './ui/header';
import { buildLayout } from './ui/layout';
import { Notices } from './ui/notices';
import { Plots } from './ui/plots';
import { Sections } from './ui/sections';

export class App {
  /** The model and data set of the host's last init; null while loading. */
  private panel: PanelModel | null = null;
  private readonly host: HostLink;
  private readonly notices: Notices;
  private readonly history = new History();
  private readonly plots: Plots;
  private readonly features = new FeatureView();
  private readonly controls: Controls;
  private readonly engines: Engines;
  private readonly training: RunController;
  private readonly gradientCheck: GradientCheck;
  private readonly fileSync: FileSync;
  private readonly sections: Sections;
  /** The last valid settings, saved when a field is being edited into something invalid. */
  private lastSettings: PanelSettings | null = null;
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private redrawQueued = false;

  constructor(private readonly vscode: VsCodeApi, workerUrl: string) {
    this.host = new HostLink(vscode, (m) => void this.handle(m).catch((e: unknown) => this.notices.error(errorMessage(e))));
    this.notices = new Notices((message) => this.host.log('error', message));
    buildLayout();
    // Unfolding a card redraws it: a chart drawn while hidden had no width.
    this.sections = new Sections(byId('app'), () => { this.persistSoon(); this.plots.drawAll(); this.queueRedraw(); });
    this.plots = new Plots(this.history);
    this.controls = new Controls(() => this.panel?.dataset.test.count ?? null);
    this.engines = new Engines(workerUrl, {
      onEvent: (e) => this.training.onEngineEvent(e),
      onProblem: (message) => this.host.log('warn', message),
    }, () => hostAutotuneOptions(this.host));
    const shared = {
      engines: this.engines, history: this.history, host: this.host,
      panel: () => this.panel, settings: () => this.controls.read(),
    };
    this.training = new RunController({
      ...shared, plots: this.plots, features: this.features, notices: this.notices,
      statusChanged: (status) => {
        this.updateControls();
        // A reload right after a run ends must find its final state.
        if (status === 'done' || status === 'failed' || status === 'paused') this.persist();
        else this.persistSoon();
      },
      changed: () => this.persistSoon(),
      queueRedraw: () => this.queueRedraw(),
    });
    this.gradientCheck = new GradientCheck({
      ...shared,
      liveEngine: () => (this.training.live ? this.engines.current?.kind ?? null : null),
      changed: () => { this.updateControls(); this.persistSoon(); },
    });
    this.fileSync = new FileSync(this.host, this.notices, () => this.controls.read(false));
    this.wireControls();
    this.restore(vscode.getState());
    new MutationObserver(() => this.plots.onThemeChange()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
    new ResizeObserver(() => this.queueRedraw()).observe(byId('features'));
    void this.showBackendAvailability();
  }

  /** A message from the extension host. */
  receive(data: unknown): void {
    this.host.receive(data);
  }

  private async handle(m: HostNotification): Promise<void> {
    switch (m.type) {
      case 'init': {
        this.panel = { model: m.model, dataset: m.dataset };
        this.controls.showCheckpointPath(m.checkpointPath);
        showModel(m.model, m.dataset);
        this.plots.setModel(m.model.layers, m.dataset);
        this.features.setModel(m.model.layers, m.dataset);
        this.controls.showModel(m.model, this.features.hasFeatures);
        this.fileSync.loaded(m.model);
        this.sections.refresh();
        this.training.modelArrived();
        this.updateControls();
        return;
      }
      case 'start': return this.training.start();
      case 'resume': return this.training.resumeFromCheckpoint(m.path);
      case 'notice': return this.notices.notice(m.level, m.message);
      case 'runGradientCheck': return this.gradientCheck.run();
      case 'modelChanged': return this.fileSync.changed(m);
    }
  }

  private wireControls(): void {
    this.controls.wire({
      start: () => this.training.start(),
      pauseOrResume: () => this.training.pauseOrResume(),
      step: () => this.training.stepOnce(),
      stop: () => this.training.stop(),
      save: (choose) => this.training.saveCheckpoint(choose),
      resumeFromCheckpoint: () => this.training.resumeFromCheckpoint(),
      gradientCheck: () => this.gradientCheck.run(),
      exportModel: () => this.host.notify({ type: 'exportModel', checkpoint: this.training.lastCheckpoint }),
      learningRateChanged: (lr) => {
        this.training.setLearningRate(lr);
        this.fileSync.mark();
        this.persistSoon();
      },
      plotsChanged: () => {
        const s = this.controls.read(false);
        if (s) this.training.setPlots(s);
        this.fileSync.mark();
        this.persistSoon();
      },
      settingsChanged: () => { this.fileSync.mark(); this.persistSoon(); },
      failed: (e) => this.notices.error(errorMessage(e)),
    });
  }

  private updateControls(): void {
    this.controls.update({
      status: this.training.status, ready: this.panel !== null, hasRun: this.training.hasRun,
      gradientCheckRunning: this.gradientCheck.running,
    });
  }

  private async showBackendAvailability(): Promise<void> {
    const probe = await this.engines.probe;
    showAvailability(probe, this.training.started);
    if (!probe.available) {
      this.notices.banner('warning', 'WebGPU is not available in this panel, so ConvLab trains on its CPU engine in a background worker ' +
        `(same results, slower). Reason: ${probe.reason}`);
    }
  }

  /** Loss and feature maps at most once a frame. */
  private queueRedraw(): void {
    if (this.redrawQueued) return;
    this.redrawQueued = true;
    requestAnimationFrame(() => {
      this.redrawQueued = false;
      this.plots.drawLoss();
      this.features.drawFeatures();
    });
  }

  // ── saved state (hidden panels keep their context; this is for VS Code reloads) ─────────────

  private persistSoon(): void {
    if (this.saveTimer !== null) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      this.persist();
    }, 1000);
  }

  private persist(): void {
    if (!this.panel) return;
    const state: SavedState = {
      version: PANEL_STATE_VERSION,
      modelUri: this.panel.model.uri,
      ...this.savedSettings(),
      status: this.training.status,
      progress: this.training.progress,
      ...this.history.saved(),
      checkpoint: this.training.lastCheckpoint,
      folded: this.sections.folded(),
    };
    this.vscode.setState(state);
  }

  /** Field by field (settingsToSave); left out until every field has held a valid value. */
  private savedSettings(): { settings?: PanelSettings } {
    this.lastSettings = settingsToSave(this.lastSettings, this.controls.readValid(false));
    return this.lastSettings ? { settings: this.lastSettings } : {};
  }

  /** Redraws what the panel showed before VS Code reloaded (a run that was going did not survive). */
  private restore(raw: unknown): void {
    const { state, problems } = readSavedState(raw);
    for (const p of problems) this.host.log('warn', p);
    if (state) {
      if (state.settings) {
        this.controls.restore(state.settings);
        this.lastSettings = state.settings;
        this.sections.refresh();
      }
      if (state.folded) this.sections.restore(state.folded);
      this.history.restore(state);
      this.plots.drawAll();
      this.gradientCheck.draw();
      this.training.restore(state);
    }
    this.training.loading();
  }
}
