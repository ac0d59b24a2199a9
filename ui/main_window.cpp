#include "ui/main_window.h"

#include <random>

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDialog>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLibraryInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include "core/io/image.h"
#include "core/pipeline/set_request.h"
#include "ui/charts_panel.h"
#include "ui/image_convert.h"
#include "ui/layer_plan_panel.h"
#include "ui/reference_pane.h"
#include "ui/resources.h"
#include "ui/results_grid.h"
#include "ui/set_files.h"
#include "ui/subject_list.h"

namespace sa::ui {
namespace {

QString formatSeconds(double s) { return s < 60 ? QString("%1 s").arg(s, 0, 'f', 1) : QString("%1 min %2 s").arg(int(s) / 60).arg(int(s) % 60); }

uint64_t randomSeed() {
    static std::mt19937_64 engine(std::random_device{}());
    return engine() % 1'000'000'000;
}

}  // namespace

MainWindow::MainWindow(std::unique_ptr<Settings> settings, QWidget* parent)
    : QMainWindow(parent), settings_(std::move(settings)), thread_(std::make_unique<WorkerThread>()) {
    buildUi();
    buildMenus();
    connectWorker();
    retranslate();
    restoreSettings();
    stallTimer_.setInterval(10);
    connect(&stallTimer_, &QTimer::timeout, this, [this] {
        const qint64 now = stallClock_.elapsed();
        // The timer is due every 10 ms: anything beyond that is time the event loop was blocked.
        worstStallMs_ = std::max(worstStallMs_, static_cast<double>(now - lastTick_ - stallTimer_.interval()));
        lastTick_ = now;
    });
}

MainWindow::~MainWindow() = default;

void MainWindow::buildUi() {
    reference_ = new ReferencePane(this);
    subjects_ = new SubjectList(this);
    model_ = new QComboBox(this);
    seed_ = new QSpinBox(this);
    seed_->setRange(0, 999'999'999);
    lockSeed_ = new QCheckBox(this);
    lockSeed_->setChecked(true);
    randomSeed_ = new QToolButton(this);
    randomSeed_->setIcon(style()->standardIcon(QStyle::SP_BrowserReload));
    steps_ = new QSpinBox(this);
    steps_->setRange(2, 500);
    guidance_ = new QDoubleSpinBox(this);
    guidance_->setRange(1.0, 30.0);
    guidance_->setSingleStep(0.5);
    offset_ = new QSpinBox(this);
    offset_->setRange(0, 499);
    generate_ = new QPushButton(this);
    generate_->setDefault(true);
    cancel_ = new QPushButton(this);
    cancel_->setEnabled(false);
    progress_ = new QProgressBar(this);
    progress_->setTextVisible(true);
    eta_ = new QLabel(this);
    modelLabel_ = new QLabel(this);
    seedLabel_ = new QLabel(this);
    stepsLabel_ = new QLabel(this);
    guidanceLabel_ = new QLabel(this);
    offsetLabel_ = new QLabel(this);
    runSummary_ = new QLabel(this);
    runSummary_->setWordWrap(true);

    auto* seedRow = new QHBoxLayout;
    seedRow->addWidget(seed_, 1);
    seedRow->addWidget(lockSeed_);
    seedRow->addWidget(randomSeed_);
    auto* form = new QFormLayout;
    form->addRow(modelLabel_, model_);
    form->addRow(seedLabel_, seedRow);
    form->addRow(stepsLabel_, steps_);
    form->addRow(guidanceLabel_, guidance_);
    form->addRow(offsetLabel_, offset_);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(generate_, 1);
    buttons->addWidget(cancel_);
    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->addWidget(reference_);
    leftLayout->addWidget(subjects_, 1);
    leftLayout->addLayout(form);
    leftLayout->addLayout(buttons);
    leftLayout->addWidget(progress_);
    leftLayout->addWidget(eta_);
    auto* leftScroll = new QScrollArea(this);
    leftScroll->setWidget(left);
    leftScroll->setWidgetResizable(true);
    leftScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    leftScroll->setMinimumWidth(left->minimumSizeHint().width() + leftScroll->verticalScrollBar()->sizeHint().width() + 4);

    grid_ = new ResultsGrid(this);
    auto* middle = new QWidget(this);
    auto* middleLayout = new QVBoxLayout(middle);
    middleLayout->addWidget(grid_, 1);
    middleLayout->addWidget(runSummary_);

    plan_ = new LayerPlanPanel(this);
    overlayPanel_ = new OverlayPanel(this);
    charts_ = new ChartsPanel(this);
    auto* attention = new QWidget(this);
    auto* attentionLayout = new QVBoxLayout(attention);
    attentionLayout->addWidget(overlayPanel_);
    attentionLayout->addWidget(charts_, 1);
    tabs_ = new QTabWidget(this);
    tabs_->addTab(plan_, {});
    tabs_->addTab(attention, {});
    tabs_->setMinimumWidth(420);

    splitter_ = new QSplitter(this);
    splitter_->addWidget(leftScroll);
    splitter_->addWidget(middle);
    splitter_->addWidget(tabs_);
    splitter_->setStretchFactor(1, 1);
    splitter_->setSizes({320, 580, 460});
    setCentralWidget(splitter_);
    resize(1360, 860);

    connect(generate_, &QPushButton::clicked, this, &MainWindow::generate);
    connect(cancel_, &QPushButton::clicked, this, &MainWindow::cancel);
    connect(randomSeed_, &QToolButton::clicked, this, [this] {
        seed_->setValue(static_cast<int>(randomSeed()));
        seedOverrides_.clear();
    });
    connect(seed_, &QSpinBox::valueChanged, this, [this] { seedOverrides_.clear(); });
    connect(steps_, &QSpinBox::valueChanged, this, [this](int steps) {
        plan_->setSteps(steps);
        offset_->setMaximum(steps - 1);
    });
    connect(model_, &QComboBox::activated, this, [this](int index) {
        const auto folder = model_->itemData(index).toString();
        if (folder.isEmpty()) chooseModelDialog();
        else if (folder != modelFolder_) loadModel(folder);
    });
    connect(reference_, &ReferencePane::errorOccurred, this, [this](const QString& m) { showError(tr("Reference image"), m); });
    connect(reference_, &ReferencePane::folderUsed, this, [this](const QString& f) { settings_->setReferenceFolder(f); });
    connect(reference_, &ReferencePane::captionRequested, this, [this](const cv::Mat& image) {
        reference_->setCaptioning(true);
        emit captionRequested(image);
    });
    connect(plan_, &LayerPlanPanel::errorOccurred, this, [this](const QString& m) { showError(tr("Layer plan"), m); });
    connect(plan_, &LayerPlanPanel::folderUsed, this, [this](const QString& f) { settings_->setPlanFolder(f); });
    connect(plan_, &LayerPlanPanel::planChanged, this, [this](const LayerPlan& plan) {
        settings_->setPlanJson(QString::fromStdString(plan.toJson().dump()));
    });
    connect(overlayPanel_, &OverlayPanel::viewChanged, this, &MainWindow::refreshOverlays);
    connect(overlayPanel_, &OverlayPanel::clearPointRequested, this, [this] {
        point_.reset();
        if (auto* w = worker()) w->clearProbePoint();
        refreshOverlays();
    });
    connect(grid_, &ResultsGrid::pointPicked, this, &MainWindow::onPointPicked);
    connect(grid_, &ResultsGrid::actionRequested, this, [this](int index, TileAction action) {
        switch (action) {
            case TileAction::Enlarge: return enlargeImage(index);
            case TileAction::Reroll: return rerollImage(index);
            case TileAction::UseAsReference: return useImageAsReference(index);
            case TileAction::Save: return saveImage(index);
        }
    });
}

void MainWindow::buildMenus() {
    fileMenu_ = menuBar()->addMenu(QString());
    openReference_ = fileMenu_->addAction(QString(), QKeySequence::Open, reference_, &ReferencePane::openFileDialog);
    pasteReference_ = fileMenu_->addAction(QString(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_V), reference_, &ReferencePane::pasteFromClipboard);
    fileMenu_->addSeparator();
    openSet_ = fileMenu_->addAction(QString(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), this, &MainWindow::openSetDialog);
    exportSet_ = fileMenu_->addAction(QString(), QKeySequence(Qt::CTRL | Qt::Key_E), this, &MainWindow::exportSetDialog);
    exportSelected_ = fileMenu_->addAction(QString(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E), this, &MainWindow::exportSelectedDialog);
    fileMenu_->addSeparator();
    loadPlan_ = fileMenu_->addAction(QString(), this, &MainWindow::loadPlanDialog);
    savePlan_ = fileMenu_->addAction(QString(), this, &MainWindow::savePlanDialog);
    chooseModel_ = fileMenu_->addAction(QString(), QKeySequence(Qt::CTRL | Qt::Key_M), this, &MainWindow::chooseModelDialog);
    fileMenu_->addSeparator();
    quit_ = fileMenu_->addAction(QString(), QKeySequence::Quit, this, &QWidget::close);

    runMenu_ = menuBar()->addMenu(QString());
    generateAction_ = runMenu_->addAction(QString(), QKeySequence(Qt::CTRL | Qt::Key_Return), this, &MainWindow::generate);
    cancelAction_ = runMenu_->addAction(QString(), QKeySequence(Qt::Key_Escape), this, &MainWindow::cancel);
    cancelAction_->setEnabled(false);
    randomizeAction_ = runMenu_->addAction(QString(), QKeySequence(Qt::CTRL | Qt::Key_R), randomSeed_, &QToolButton::click);

    viewMenu_ = menuBar()->addMenu(QString());
    languageMenu_ = viewMenu_->addMenu(QString());
    auto* group = new QActionGroup(this);
    langSystem_ = languageMenu_->addAction(QString(), this, [this] { setLanguage({}); });
    langEnglish_ = languageMenu_->addAction("English", this, [this] { setLanguage("en"); });
    langKorean_ = languageMenu_->addAction("한국어", this, [this] { setLanguage("ko"); });
    for (auto* a : {langSystem_, langEnglish_, langKorean_}) {
        a->setCheckable(true);
        group->addAction(a);
    }
    helpMenu_ = menuBar()->addMenu(QString());
    about_ = helpMenu_->addAction(QString(), QKeySequence::HelpContents, this, [this] {
        QMessageBox::about(this, tr("About StyleAligned Studio"),
                           tr("<b>StyleAligned Studio</b> %1<br>Style-aligned image generation via shared attention "
                              "(Hertz, Voynov, Fruchter, Cohen-Or; CVPR 2024).<br>Drop a reference, name new subjects, "
                              "and generate a set that shares the reference's style.")
                               .arg(QApplication::applicationVersion()));
    });
}

void MainWindow::retranslate() {
    setWindowTitle(tr("StyleAligned Studio"));
    fileMenu_->setTitle(tr("&File"));
    openReference_->setText(tr("&Open Reference…"));
    pasteReference_->setText(tr("&Paste Reference"));
    openSet_->setText(tr("Open &Set…"));
    exportSet_->setText(tr("&Export Set…"));
    exportSelected_->setText(tr("Export Se&lected Images…"));
    loadPlan_->setText(tr("&Load Layer Plan…"));
    savePlan_->setText(tr("Sa&ve Layer Plan…"));
    chooseModel_->setText(tr("Choose &Model Folder…"));
    quit_->setText(tr("&Quit"));
    runMenu_->setTitle(tr("&Generate"));
    generateAction_->setText(tr("&Generate Set"));
    cancelAction_->setText(tr("&Cancel"));
    randomizeAction_->setText(tr("&Random Seed"));
    viewMenu_->setTitle(tr("&View"));
    languageMenu_->setTitle(tr("&Language"));
    langSystem_->setText(tr("System language"));
    helpMenu_->setTitle(tr("&Help"));
    about_->setText(tr("&About"));
    tabs_->setTabText(0, tr("Layers"));
    tabs_->setTabText(1, tr("Attention"));
    modelLabel_->setText(tr("&Model:"));
    modelLabel_->setBuddy(model_);
    model_->setToolTip(tr("The diffusion model: the bundled demo model or any diffusers folder (SD 1.x, 2.x, SDXL)."));
    seedLabel_->setText(tr("S&eed:"));
    seedLabel_->setBuddy(seed_);
    seed_->setToolTip(tr("Image i starts from noise seeded with seed + i: the same seed gives the same set."));
    lockSeed_->setText(tr("Lock"));
    lockSeed_->setToolTip(tr("Keep the seed between runs (unlocked: a new random seed for every run)."));
    randomSeed_->setToolTip(tr("Pick a new random seed (Ctrl+R)."));
    stepsLabel_->setText(tr("S&teps:"));
    stepsLabel_->setBuddy(steps_);
    steps_->setToolTip(tr("Denoising steps (DDIM). More steps: finer detail, longer runs."));
    guidanceLabel_->setText(tr("&Guidance:"));
    guidanceLabel_->setBuddy(guidance_);
    guidance_->setToolTip(tr("Classifier-free guidance: how closely the images follow their prompts."));
    offsetLabel_->setText(tr("Inversion o&ffset:"));
    offsetLabel_->setBuddy(offset_);
    offset_->setToolTip(tr("With a reference image: the step of its inverted trajectory that the reference starts from "
                           "(higher: the reference's reconstruction is closer to the original)."));
    generate_->setText(tr("Generate"));
    generate_->setToolTip(tr("Generate the set: the reference and one new image per subject, in the reference's style (Ctrl+Enter)."));
    cancel_->setText(tr("Cancel"));
    cancel_->setToolTip(tr("Stop the run; the previous set stays (Esc)."));
    if (model_->count() > 0) model_->setItemText(model_->count() - 1, tr("Other folder…"));
    if (!running_) eta_->setText(modelReady_ ? tr("Ready.") : tr("Loading the model…"));
}

void MainWindow::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QMainWindow::changeEvent(event);
}

void MainWindow::setLanguage(const QString& language) {
    settings_->setLanguage(language);
    QApplication::removeTranslator(&translator_);
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    if (translator_.load(locale, "stylealigned", "_", ":/i18n")) QApplication::installTranslator(&translator_);
    (language == "ko" ? langKorean_ : language == "en" ? langEnglish_ : langSystem_)->setChecked(true);
}

void MainWindow::showTab(int index) { tabs_->setCurrentIndex(index); }

void MainWindow::connectWorker() {
    auto* w = worker();
    connect(this, &MainWindow::modelRequested, w, &GenerationWorker::loadModel);
    connect(this, &MainWindow::generationRequested, w, &GenerationWorker::generate);
    connect(this, &MainWindow::captionRequested, w, &GenerationWorker::caption);
    connect(w, &GenerationWorker::modelLoaded, this, &MainWindow::onModelLoaded);
    connect(w, &GenerationWorker::modelFailed, this, [this](const QString& folder, const QString& message) {
        modelReady_ = false;
        eta_->setText(tr("No model loaded."));
        showError(tr("Model"), tr("Could not load the model in %1:\n%2\n\nChoose a diffusers folder (model_index.json, "
                                  "unet/, vae/, text_encoder/, tokenizer/, scheduler/).").arg(folder, message));
    });
    connect(w, &GenerationWorker::captioned, this, [this](const QString& caption) {
        reference_->setCaptioning(false);
        reference_->setCaption(caption);
    });
    connect(w, &GenerationWorker::captionFailed, this, [this](const QString& message) {
        reference_->setCaptioning(false);
        statusBar()->showMessage(message, 8000);
    });
    connect(w, &GenerationWorker::runStarted, this, &MainWindow::onRunStarted);
    connect(w, &GenerationWorker::stepped, this, &MainWindow::onStep);
    connect(w, &GenerationWorker::finished, this, &MainWindow::onFinished);
    connect(w, &GenerationWorker::failed, this, [this](const QString& m) { onRunAborted(m); });
    connect(w, &GenerationWorker::cancelled, this, [this] { onRunAborted({}); });
}

void MainWindow::restoreSettings() {
    restoreGeometry(settings_->geometry());
    if (!settings_->windowState().isEmpty()) splitter_->restoreState(settings_->windowState());
    setLanguage(settings_->language());
    steps_->setValue(settings_->steps());
    guidance_->setValue(settings_->guidance());
    offset_->setValue(settings_->offset());
    subjects_->setSubjects(settings_->subjects());
    reference_->setStartFolder(settings_->referenceFolder());
    plan_->setStartFolder(settings_->planFolder());
    const auto examples = exampleReferences();
    reference_->setExamples(examples);
    auto folder = settings_->modelFolder();
    if (folder.isEmpty() || !QFileInfo::exists(folder + "/model_index.json")) folder = bundledDemoModel();
    if (!examples.isEmpty() && folder == bundledDemoModel()) reference_->loadFile(examples.front());
    if (folder.isEmpty()) {
        eta_->setText(tr("No model: choose a diffusers folder (File ▸ Choose Model Folder)."));
        return;
    }
    loadModel(folder);
}

void MainWindow::loadModel(const QString& folder) {
    modelReady_ = false;
    modelFolder_ = folder;
    generate_->setEnabled(false);
    eta_->setText(tr("Loading the model…"));
    statusBar()->showMessage(tr("Loading %1…").arg(folder));
    emit modelRequested(folder, settings_->device());
}

void MainWindow::onModelLoaded(const ModelInfo& info) {
    modelReady_ = true;
    modelFolder_ = info.folder;
    const bool demo = info.folder == bundledDemoModel();
    settings_->setModelFolder(demo ? QString() : info.folder);
    {
        const QSignalBlocker block(model_);
        model_->clear();
        model_->addItem(tr("Demo model (bundled)"), bundledDemoModel());
        for (const auto& recent : settings_->recentModels())
            if (recent != bundledDemoModel() && QFileInfo::exists(recent + "/model_index.json"))
                model_->addItem(QFileInfo(recent).fileName(), recent);
        if (!demo && model_->findData(info.folder) < 0) model_->addItem(QFileInfo(info.folder).fileName(), info.folder);
        model_->addItem(tr("Other folder…"), QString());
        model_->setCurrentIndex(std::max(0, model_->findData(info.folder)));
        if (bundledDemoModel().isEmpty()) model_->removeItem(0);
    }
    plan_->setLayers(info.layers);
    const auto paths = info.selfAttentionPaths();
    layerPaths_ = paths;
    try {
        if (pendingPlan_) plan_->setPlan(LayerPlan::fromJson(*pendingPlan_, paths, "set.json plan"));
        else if (!settings_->planJson().isEmpty())
            plan_->setPlan(LayerPlan::fromJson(nlohmann::json::parse(settings_->planJson().toStdString()), paths, "saved plan"));
    } catch (const std::exception&) {
        // A plan saved for another model: keep the preset.
    }
    pendingPlan_.reset();
    overlayPanel_->setLayers(paths);
    charts_->setLayers(paths);
    modelHasCaptioner_ = info.hasCaptioner;
    reference_->setCaptionerAvailable(info.hasCaptioner);
    if (info.hasCaptioner && !reference_->image().empty() && reference_->caption().isEmpty()) {
        reference_->setCaptioning(true);
        emit captionRequested(reference_->image());
    }
    statusBar()->showMessage(info.description);
    eta_->setText(tr("Ready."));
    generate_->setEnabled(!running_);
}

StudioRequest MainWindow::currentRequest() const {
    StudioRequest r;
    auto& spec = r.spec;
    spec.model = modelFolder_.toStdString();
    spec.referencePrompt = reference_->caption().toStdString();
    std::vector<std::string> subjects;
    for (const auto& s : subjects_->subjects()) subjects.push_back(s.toStdString());
    spec.targets = styledPrompts(subjects, styleWords(spec.referencePrompt));
    spec.seeds = consecutiveSeeds(static_cast<uint64_t>(seed_->value()), spec.targets.size() + 1);
    for (const auto& [index, seed] : seedOverrides_)
        if (index < static_cast<int>(spec.seeds.size())) spec.seeds[static_cast<size_t>(index)] = seed;
    spec.steps = steps_->value();
    spec.guidance = guidance_->value();
    spec.offset = offset_->value();
    spec.plan = plan_->plan().toJson();
    r.reference = reference_->image();
    if (!r.reference.empty()) spec.referenceImage = "reference.png";
    return r;
}

void MainWindow::generate() {
    if (running_ || !modelReady_) return;
    if (subjects_->subjects().isEmpty()) return showError(tr("Subjects"), tr("Add at least one new subject (one prompt per image)."));
    if (reference_->caption().isEmpty())
        return showError(tr("Caption"), reference_->image().empty()
                                            ? tr("Describe the reference to generate (e.g. \"a house, stained glass style\"), or drop a reference image.")
                                            : tr("The reference needs a caption: what it shows and its style (e.g. \"a fish, pixel art style\")."));
    if (!lockSeed_->isChecked()) {
        const QSignalBlocker block(seed_);
        seed_->setValue(static_cast<int>(randomSeed()));
        seedOverrides_.clear();
    }
    settings_->setSteps(steps_->value());
    settings_->setGuidance(guidance_->value());
    settings_->setOffset(offset_->value());
    settings_->setSubjects(subjects_->subjects());
    const auto request = currentRequest();
    resetGrid(request);
    overlays_.clear();
    pointIsLive_ = point_.has_value();
    setRunning(true);
    emit generationRequested(request);
}

void MainWindow::cancel() {
    if (!running_ || !worker()) return;
    worker()->cancel();
    eta_->setText(tr("Cancelling…"));
}

void MainWindow::setRunning(bool running) {
    running_ = running;
    generate_->setEnabled(!running && modelReady_);
    generateAction_->setEnabled(!running);
    cancel_->setEnabled(running);
    cancelAction_->setEnabled(running);
    model_->setEnabled(!running);
    chooseModel_->setEnabled(!running);
    openSet_->setEnabled(!running);
    if (running) {
        worstStallMs_ = 0;
        stallClock_.start();
        lastTick_ = 0;
        stallTimer_.start();
        progress_->setValue(0);
    } else {
        stallTimer_.stop();
    }
}

void MainWindow::resetGrid(const StudioRequest& request) {
    QStringList titles, tooltips;
    const auto prompts = request.spec.allPrompts();
    for (size_t i = 0; i < prompts.size(); ++i) {
        titles << (i == 0 ? tr("Reference") : QString::fromStdString(prompts[i]));
        tooltips << tr("%1\nseed %2").arg(QString::fromStdString(prompts[i])).arg(request.spec.seeds.at(i)) + "\n\n" +
                        (i == 0 ? tr("Double-click: enlarge · right-click: save or more")
                                : tr("Click: see where this point attends in the reference · double-click: enlarge · "
                                     "right-click: re-roll, save or more"));
    }
    grid_->reset(titles, tooltips);
    if (!request.reference.empty()) grid_->tile(0)->setImage(toQImage(request.reference), false);
}

void MainWindow::onRunStarted(const RunInfo& info) {
    runInfo_ = info;
    progress_->setRange(0, 100);
    overlayPanel_->setSteps(info.steps);
    QStringList tokens;
    if (!info.tokens.empty())
        for (const auto& t : info.tokens.front()) tokens << QString::fromStdString(t);
    overlayPanel_->setTokens(tokens);
    runSummary_->setText(info.referenceCached ? tr("Reusing the cached reference: only the new images run.")
                                           : tr("Computing the reference branch (it is cached for the next run)."));
}

void MainWindow::onStep(const StepUpdate& u) {
    progress_->setValue(u.units > 0 ? 100 * u.done / u.units : 0);
    const QString phase = u.phase == RunPhase::Inversion   ? tr("Inverting the reference")
                          : u.phase == RunPhase::Reference ? tr("Reference branch")
                                                           : tr("Generating");
    eta_->setText(tr("%1: step %2/%3 · %4 elapsed · about %5 left")
                      .arg(phase)
                      .arg(u.step + 1)
                      .arg(u.total)
                      .arg(formatSeconds(u.elapsed), formatSeconds(u.eta)));
    for (const auto& [index, image] : u.previews)
        if (index < grid_->count()) grid_->tile(index)->setImage(toQImage(image), false);
    if (!u.attention.empty()) {
        overlays_.add(u.attention);
        charts_->setShareHistory(overlays_.shareHistory(), u.total);
        refreshOverlays();
    }
}

void MainWindow::onFinished(const SetResult& result) {
    setRunning(false);
    lastResult_ = result;
    showResult(result);
    progress_->setValue(100);
    const QString reference = result.referenceFromCache
                                  ? tr("reference reused from the cache")
                                  : tr("reference branch %1").arg(formatSeconds(result.referenceSeconds));
    runSummary_->setText(tr("Set of %1 images in %2 (%3). Longest event-loop stall: %4 ms.")
                          .arg(result.images.size())
                          .arg(formatSeconds(result.totalSeconds), reference)
                          .arg(worstStallMs_, 0, 'f', 0));
    eta_->setText(tr("Done."));
    if (!result.verdicts.empty()) {
        SetMetrics metrics{.seconds = result.totalSeconds, .referenceFromCache = result.referenceFromCache};
        for (size_t i = 1; i < result.verdicts.size(); ++i) {
            metrics.subjectConfidence += result.verdicts[i].subjectConfidence;
            metrics.styleAgreement += result.verdicts[i].styleMatchesReference;
        }
        const double n = std::max<double>(1, static_cast<double>(result.verdicts.size()) - 1);
        metrics.subjectConfidence /= n;
        metrics.styleAgreement /= n;
        charts_->addSet(metrics);
    }
    refreshOverlays();
    emit runEnded();
}

void MainWindow::showResult(const SetResult& result) {
    const auto prompts = result.spec.allPrompts();
    if (grid_->count() != static_cast<int>(result.images.size())) {
        QStringList titles, tooltips;
        for (size_t i = 0; i < prompts.size(); ++i) {
            titles << (i == 0 ? tr("Reference") : QString::fromStdString(prompts[i]));
            tooltips << QString::fromStdString(prompts[i]);
        }
        grid_->reset(titles, tooltips);
    }
    for (size_t i = 0; i < result.images.size(); ++i) {
        auto* tile = grid_->tile(static_cast<int>(i));
        tile->setImage(toQImage(result.images[i]), true);
        if (i < result.verdicts.size()) {
            const auto& v = result.verdicts[i];
            tile->setBadge(QString::fromStdString(v.subject), i == 0 || v.styleMatchesReference);
            tile->setTitle(i == 0 ? tr("Reference") : QString::fromStdString(prompts.at(i)),
                           tr("%1\nseed %2\njudge: %3 (%4 %), %5 style (%6 %)")
                               .arg(QString::fromStdString(prompts.at(i)))
                               .arg(result.spec.seeds.at(i))
                               .arg(QString::fromStdString(v.subject))
                               .arg(100 * v.subjectConfidence, 0, 'f', 0)
                               .arg(QString::fromStdString(v.style))
                               .arg(100 * v.styleConfidence, 0, 'f', 0));
        }
    }
}

void MainWindow::onRunAborted(const QString& message) {
    setRunning(false);
    eta_->setText(message.isEmpty() ? tr("Cancelled.") : tr("Failed."));
    runSummary_->setText(message.isEmpty() ? tr("Cancelled: the previous set is shown again.") : QString());
    // Never lose the user's work: the last finished set comes back.
    if (lastResult_) showResult(*lastResult_);
    else grid_->reset({}, {});
    if (!message.isEmpty())
        showError(tr("Generation failed"), tr("%1\n\nCheck the prompts, the reference and the model, then try again.").arg(message));
    emit runEnded();
}

void MainWindow::refreshOverlays() {
    const auto view = overlayPanel_->view();
    const int targets = grid_->count() - 1;
    for (int i = 0; i < grid_->count(); ++i) {
        auto* tile = grid_->tile(i);
        tile->setMarker(i == pointTarget_ && point_ ? point_ : std::nullopt);
        cv::Mat map;
        if (i > 0 && view.mode == OverlayMode::ReferenceShare) map = overlays_.shareMap(view, i - 1);
        if (i > 0 && view.mode == OverlayMode::TokenAttention) map = overlays_.tokenMap(view, i - 1);
        tile->setOverlay(map.empty() ? QImage() : heatMap(map, QSize(128, 128), view.mode == OverlayMode::ReferenceShare ? 1.0 : 0),
                         view.opacity);
    }
    // Point mode: where the chosen point of a target attends, drawn over the reference.
    if (grid_->count() > 0 && view.mode == OverlayMode::PointAttention && point_ && pointTarget_ > 0 && pointTarget_ <= targets) {
        QPointF snapped;
        const auto map = overlays_.pointMap(view, pointTarget_ - 1, *point_, pointIsLive_, &snapped);
        grid_->tile(0)->setOverlay(map.empty() ? QImage() : heatMap(map, QSize(128, 128)), view.opacity);
        if (!map.empty() && !pointIsLive_) grid_->tile(pointTarget_)->setMarker(snapped);
        overlayPanel_->setPointHint(map.empty() ? tr("No map for this point yet: it is recorded during the next run.")
                                                : pointIsLive_ ? tr("Point followed live during the run.")
                                                               : tr("Nearest recorded point (8 × 8 grid of the last step)."));
    }
}

void MainWindow::onPointPicked(int index, QPointF point) {
    if (index == 0) return;  // points are chosen on new images; their maps are drawn over the reference
    point_ = point;
    pointTarget_ = index;
    pointIsLive_ = running_;
    if (auto* w = worker()) w->setProbePoint(static_cast<float>(point.x()), static_cast<float>(point.y()));
    overlayPanel_->setMode(OverlayMode::PointAttention);
    refreshOverlays();
}

void MainWindow::rerollImage(int index) {
    if (running_) return;
    seedOverrides_[index] = randomSeed();
    generate();
}

void MainWindow::useImageAsReference(int index) {
    if (!lastResult_ || index >= static_cast<int>(lastResult_->images.size())) return;
    const auto prompts = lastResult_->spec.allPrompts();
    reference_->setImage(lastResult_->images[static_cast<size_t>(index)], tr("image %1 of the last set").arg(index));
    if (!reference_->image().empty() && prompts.size() > static_cast<size_t>(index))
        reference_->setCaption(QString::fromStdString(prompts[static_cast<size_t>(index)]));
}

void MainWindow::saveImage(int index) {
    if (!lastResult_ || index >= static_cast<int>(lastResult_->images.size())) return;
    auto file = QFileDialog::getSaveFileName(this, tr("Save image"),
                                             settings_->exportFolder() + QString("/image_%1.png").arg(index, 2, 10, QChar('0')),
                                             tr("PNG images (*.png)"));
    if (file.isEmpty()) return;
    if (!file.endsWith(".png", Qt::CaseInsensitive)) file += ".png";
    try {
        writeImage(file.toStdString(), lastResult_->images[static_cast<size_t>(index)]);
        settings_->setExportFolder(QFileInfo(file).absolutePath());
    } catch (const std::exception& e) {
        showError(tr("Save image"), QString::fromUtf8(e.what()));
    }
}

void MainWindow::enlargeImage(int index) {
    auto* tile = grid_->tile(index);
    auto* dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tile->toolTip().section('\n', 0, 0));
    auto* label = new QLabel(dialog);
    const QImage image = tile->image();
    const int side = std::max(512, std::min(image.width(), 1024));
    label->setPixmap(QPixmap::fromImage(image.scaled(side, side, Qt::KeepAspectRatio, Qt::SmoothTransformation)));
    auto* layout = new QVBoxLayout(dialog);
    layout->addWidget(label);
    dialog->show();
}

bool MainWindow::exportSetTo(const QString& folder) {
    if (!lastResult_) {
        showError(tr("Export"), tr("Nothing to export yet: generate a set first."));
        return false;
    }
    try {
        std::vector<std::pair<int, QImage>> maps;
        const auto view = overlayPanel_->view();
        for (int t = 0; t + 1 < static_cast<int>(lastResult_->images.size()); ++t) {
            const auto map = overlays_.shareMap(view, t);
            if (map.empty()) continue;
            QImage composed = toQImage(lastResult_->images[static_cast<size_t>(t + 1)]).convertToFormat(QImage::Format_ARGB32);
            {
                QPainter painter(&composed);
                painter.setOpacity(view.opacity);
                painter.drawImage(composed.rect(), heatMap(map, composed.size(), 1.0));
            }
            maps.emplace_back(t + 1, composed);
        }
        const auto written = sa::ui::exportSet(folder, lastResult_->spec, lastResult_->reference, lastResult_->images, maps);
        settings_->setExportFolder(folder);
        statusBar()->showMessage(tr("Exported %1 files to %2").arg(written.size()).arg(folder), 8000);
        return true;
    } catch (const std::exception& e) {
        showError(tr("Export"), tr("Could not export to %1:\n%2").arg(folder, QString::fromUtf8(e.what())));
        return false;
    }
}

void MainWindow::exportSetDialog() {
    const auto folder = QFileDialog::getExistingDirectory(this, tr("Export set to folder"), settings_->exportFolder());
    if (!folder.isEmpty()) exportSetTo(folder);
}

void MainWindow::exportSelectedDialog() {
    if (!lastResult_) return showError(tr("Export"), tr("Nothing to export yet: generate a set first."));
    const auto selected = grid_->selectedIndices();
    if (selected.isEmpty()) return showError(tr("Export"), tr("No image is selected: Ctrl+click images to select them."));
    const auto folder = QFileDialog::getExistingDirectory(this, tr("Export selected images to folder"), settings_->exportFolder());
    if (folder.isEmpty()) return;
    try {
        std::vector<std::pair<int, cv::Mat>> images;
        for (int i : selected) images.emplace_back(i, lastResult_->images.at(static_cast<size_t>(i)));
        exportImages(folder, images);
        settings_->setExportFolder(folder);
        statusBar()->showMessage(tr("Exported %1 images to %2").arg(images.size()).arg(folder), 8000);
    } catch (const std::exception& e) {
        showError(tr("Export"), QString::fromUtf8(e.what()));
    }
}

bool MainWindow::openSet(const QString& setJson) {
    if (running_) return false;
    try {
        const auto set = loadSet(setJson);
        const auto& spec = set.spec;
        reference_->setCaptionerAvailable(false);  // keep the set's caption
        reference_->setImage(set.reference, set.reference.empty() ? QString() : set.folder + "/reference.png");
        reference_->setCaption(QString::fromStdString(spec.referencePrompt));
        QStringList subjects;
        for (const auto& t : spec.targets) subjects << QString::fromStdString(t);
        subjects_->setSubjects(subjects);
        {
            const QSignalBlocker block(seed_);
            seed_->setValue(spec.seeds.empty() ? 0 : static_cast<int>(spec.seeds.front()));
        }
        seedOverrides_.clear();
        for (size_t i = 1; i < spec.seeds.size(); ++i)
            if (spec.seeds[i] != spec.seeds.front() + i) seedOverrides_[static_cast<int>(i)] = spec.seeds[i];
        steps_->setValue(spec.steps);
        guidance_->setValue(spec.guidance);
        offset_->setValue(spec.offset);
        lockSeed_->setChecked(true);

        SetResult restored;
        restored.spec = spec;
        restored.reference = set.reference;
        bool complete = !set.images.empty();
        for (const auto& image : set.images) complete = complete && !image.empty();
        if (complete) restored.images = set.images;
        lastResult_.reset();
        overlays_.clear();
        if (complete) {
            lastResult_ = restored;
            showResult(restored);
        } else {
            resetGrid(currentRequest());
        }
        const QString model = QString::fromStdString(spec.model);
        const QString modelFolder = QFileInfo::exists(model + "/model_index.json") ? model : modelFolder_;
        if (modelFolder != modelFolder_ || !modelReady_) {
            pendingPlan_ = spec.plan;
            loadModel(modelFolder);
        } else {
            plan_->setPlan(LayerPlan::fromJson(spec.plan, layerPaths_, setJson.toStdString()));
            reference_->setCaptionerAvailable(modelHasCaptioner_);
        }
        runSummary_->setText(tr("Opened %1").arg(setJson));
        return true;
    } catch (const std::exception& e) {
        showError(tr("Open set"), tr("Could not open %1:\n%2").arg(setJson, QString::fromUtf8(e.what())));
        return false;
    }
}

void MainWindow::openSetDialog() {
    const auto file = QFileDialog::getOpenFileName(this, tr("Open set"), settings_->exportFolder(), tr("Image sets (set.json)"));
    if (!file.isEmpty()) openSet(file);
}

void MainWindow::chooseModelDialog() {
    const auto folder = QFileDialog::getExistingDirectory(this, tr("Choose a diffusers model folder"), modelFolder_);
    if (!folder.isEmpty()) loadModel(folder);
    else if (modelReady_) model_->setCurrentIndex(std::max(0, model_->findData(modelFolder_)));
}

void MainWindow::loadPlanDialog() {
    const auto file = QFileDialog::getOpenFileName(this, tr("Load layer plan"), settings_->planFolder(), tr("Layer plans (*.json)"));
    plan_->loadFromFile(file);
}

void MainWindow::savePlanDialog() {
    auto file = QFileDialog::getSaveFileName(this, tr("Save layer plan"), settings_->planFolder() + "/plan.json", tr("Layer plans (*.json)"));
    if (!file.isEmpty() && !file.endsWith(".json")) file += ".json";
    plan_->saveToFile(file);
}

void MainWindow::showError(const QString& title, const QString& message) {
    lastError_ = message;
    statusBar()->showMessage(message.section('\n', 0, 0), 10000);
    // Window-modal and non-blocking: the run and the event loop go on.
    auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName("errorDialog");
    box->open();
}

void MainWindow::closeEvent(QCloseEvent* event) {
    settings_->setGeometry(saveGeometry());
    settings_->setWindowState(splitter_->saveState());
    settings_->setSubjects(subjects_->subjects());
    thread_->stop();  // cancels, then waits for the worker to stop
    event->accept();
}

}  // namespace sa::ui
