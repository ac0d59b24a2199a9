#include "ui/main_window.h"

#include <random>

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
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

#include "core/pipeline/set_request.h"
#include "ui/adapters_panel.h"
#include "ui/charts_panel.h"
#include "ui/layer_plan_panel.h"
#include "ui/models_dialog.h"
#include "ui/reference_pane.h"
#include "ui/resources.h"
#include "ui/results_grid.h"
#include "ui/subject_list.h"

namespace sa::ui {

uint64_t randomSeed() {
    static std::mt19937_64 engine(std::random_device{}());
    return engine() % 1'000'000'000;
}

MainWindow::MainWindow(std::unique_ptr<Settings> settings, QWidget* parent)
    : QMainWindow(parent), settings_(std::move(settings)), thread_(std::make_unique<WorkerThread>()) {
    buildUi();
    buildMenus();
    connectWorker();
    connectAdapters();
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
    model_->setObjectName("modelChooser");
    model_->setAcceptDrops(true);  // a checkpoint file or a model folder dropped on it opens
    model_->installEventFilter(this);
    model_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    model_->setMinimumContentsLength(16);
    seed_ = new QSpinBox(this);
    seed_->setRange(0, 999'999'999);
    lockSeed_ = new QCheckBox(this);
    lockSeed_->setChecked(true);
    lockSeed_->setObjectName("lockSeed");
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
    cancel_->setObjectName("cancel");
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
    // Two lines always, as the progress text: a longer summary must not shrink the grid.
    runSummary_->setFixedHeight(2 * runSummary_->fontMetrics().lineSpacing() + 2);
    runSummary_->setAlignment(Qt::AlignLeft | Qt::AlignTop);

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
    // Progress text changes every step: it wraps inside the pane instead of widening it (a wider
    // pane would be cut off by the scroll area and shift every control while a run goes on).
    eta_->setWordWrap(true);
    eta_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    // Two lines always: a step text that wraps must not grow the pane (a scroll bar would appear
    // and move every control).
    eta_->setFixedHeight(2 * eta_->fontMetrics().lineSpacing() + 2);
    eta_->setAlignment(Qt::AlignLeft | Qt::AlignTop);
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
    adapters_ = new AdaptersPanel(this);
    tabs_->addTab(adapters_, {});
    tabs_->setMinimumWidth(420);

    splitter_ = new QSplitter(this);
    splitter_->addWidget(leftScroll);
    splitter_->addWidget(middle);
    splitter_->addWidget(tabs_);
    splitter_->setStretchFactor(1, 1);
    splitter_->setSizes({320, 580, 460});
    setCentralWidget(splitter_);
    resize(1360, 860);
    setAcceptDrops(true);  // model files and folders; the reference pane takes images

    modelsDialog_ = new ModelsDialog(this);
    for (const auto role : kVisionRoles) vision_[static_cast<size_t>(role)].role = role;

    modelStatus_ = new QLabel(this);
    modelStatus_->setObjectName("modelStatus");
    modelNotes_ = new QLabel(this);
    modelNotes_->setObjectName("modelNotes");
    modelNotes_->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxInformation).pixmap(16, 16));
    modelNotes_->hide();
    statusBar()->addPermanentWidget(modelNotes_);
    statusBar()->addPermanentWidget(modelStatus_);

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
        const auto path = model_->itemData(index).toString();
        if (path == kOpenCheckpointItem) openCheckpointDialog();
        else if (path == kOpenFolderItem) chooseModelDialog();
        else if (!path.isEmpty() && path != modelFolder_) loadModel(path);
    });
    connect(reference_, &ReferencePane::errorOccurred, this, [this](const QString& m) { showError(tr("Reference image"), m); });
    connect(reference_, &ReferencePane::folderUsed, this, [this](const QString& f) {
        if (f != QFileInfo(exampleReferences().value(0)).absolutePath()) settings_->setReferenceFolder(f);
    });
    // An untouched preset and guidance follow the mode, as in the CLI: "transfer" for a reference image
    // (google/style-aligned's setting for real images), "attention-only" for a reference from text.
    connect(reference_, &ReferencePane::imageChanged, this, [this](const cv::Mat& image) {
        const auto preset = QString::fromStdString(defaultPreset(!image.empty()));
        if (modelReady_ && preset != plan_->presetName() && plan_->isUnchangedPreset()) plan_->applyPreset(preset);
        // The guidance too, unless the artist set one of their own: a value at the other mode's default moves.
        if (guidance_->value() == defaultGuidance(image.empty())) guidance_->setValue(defaultGuidance(!image.empty()));
    });
    connect(reference_, &ReferencePane::captionRequested, this, &MainWindow::requestCaption);
    connect(modelsDialog_, &ModelsDialog::folderChosen, this, &MainWindow::setVisionModel);
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
    fileMenu_->addSeparator();
    openCheckpoint_ = fileMenu_->addAction(QString(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M), this, &MainWindow::openCheckpointDialog);
    chooseModel_ = fileMenu_->addAction(QString(), QKeySequence(Qt::CTRL | Qt::Key_M), this, &MainWindow::chooseModelDialog);
    checkpointOptions_ = fileMenu_->addAction(QString(), this, [this] {
        checkpointOptionsDialog(isCheckpointFile(modelFolder_) ? modelFolder_ : QString());
    });
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
    settingsMenu_ = menuBar()->addMenu(QString());
    models_ = settingsMenu_->addAction(QString(), this, [this] {
        modelsDialog_->show();
        modelsDialog_->raise();
        modelsDialog_->activateWindow();
    });
    vaeTilingMenu_ = settingsMenu_->addMenu(QString());
    auto* tiling = new QActionGroup(this);
    tilingAuto_ = vaeTilingMenu_->addAction(QString(), this, [this] { setVaeTiling("auto"); });
    tilingOn_ = vaeTilingMenu_->addAction(QString(), this, [this] { setVaeTiling("on"); });
    tilingOff_ = vaeTilingMenu_->addAction(QString(), this, [this] { setVaeTiling("off"); });
    tilingAuto_->setObjectName("vaeTilingAuto");
    tilingOn_->setObjectName("vaeTilingOn");
    tilingOff_->setObjectName("vaeTilingOff");
    for (auto* a : {tilingAuto_, tilingOn_, tilingOff_}) {
        a->setCheckable(true);
        tiling->addAction(a);
    }
    vaeTilingMenu_->setToolTipsVisible(true);
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
    openCheckpoint_->setText(tr("Open &Checkpoint…"));
    chooseModel_->setText(tr("Open &Model Folder…"));
    checkpointOptions_->setText(tr("Checkpoint &Options…"));
    checkpointOptions_->setToolTip(tr("Config YAML, prediction type and text-encoder settings of a single-file checkpoint, "
                                      "for files that do not load with the defaults."));
    quit_->setText(tr("&Quit"));
    runMenu_->setTitle(tr("&Generate"));
    generateAction_->setText(tr("&Generate Set"));
    cancelAction_->setText(tr("&Cancel"));
    randomizeAction_->setText(tr("&Random Seed"));
    viewMenu_->setTitle(tr("&View"));
    languageMenu_->setTitle(tr("&Language"));
    langSystem_->setText(tr("System language"));
    settingsMenu_->setTitle(tr("&Settings"));
    models_->setText(tr("&Models…"));
    models_->setToolTip(tr("Optional models: a BLIP captioner for references on real models, CLIP and DINO for the metrics chart."));
    vaeTilingMenu_->setTitle(tr("&VAE Tiling"));
    tilingAuto_->setText(tr("&Automatic (large images)"));
    tilingAuto_->setToolTip(tr("Decode large images in overlapping tiles, blended at the seams, when decoding one "
                               "whole would need more than 2 GiB (SD and SDXL: above about 700,000 pixels)."));
    tilingOn_->setText(tr("A&lways (images larger than a tile)"));
    tilingOn_->setToolTip(tr("Decode in tiles of the VAE's own size (512 px for SD 1.x, 1024 px for SDXL) every "
                             "image larger than one tile: the least memory, slightly slower."));
    tilingOff_->setText(tr("&Off"));
    tilingOff_->setToolTip(tr("Decode every image whole, as the reference implementation does."));
    helpMenu_->setTitle(tr("&Help"));
    about_->setText(tr("&About"));
    tabs_->setTabText(0, tr("Layers"));
    tabs_->setTabText(1, tr("Attention"));
    tabs_->setTabText(2, tr("Adapters"));
    tabs_->setTabToolTip(2, tr("LoRAs, a ControlNet, the image size and panoramas"));
    modelLabel_->setText(tr("&Model:"));
    modelLabel_->setBuddy(model_);
    model_->setToolTip(tr("The diffusion model: the bundled demo model, a single-file checkpoint (.safetensors) or a "
                          "diffusers folder (SD 1.x, 2.x, SDXL). Drop a checkpoint or a model folder here to open it."));
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
    refreshModelChooser();  // its entries are translated
    refreshOverlays();  // its hints are translated
    if (!running_ && !loading_) eta_->setText(modelReady_ ? tr("Ready.") : tr("Loading the model…"));
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

void MainWindow::setVaeTiling(const QString& mode) {
    vaeTiling_ = mode == "on" || mode == "off" ? mode : QString("auto");
    settings_->setVaeTiling(vaeTiling_);
    (vaeTiling_ == "on" ? tilingOn_ : vaeTiling_ == "off" ? tilingOff_ : tilingAuto_)->setChecked(true);
}

void MainWindow::connectWorker() {
    auto* w = worker();
    connect(this, &MainWindow::modelRequested, w, &GenerationWorker::loadModel);
    connect(this, &MainWindow::generationRequested, w, &GenerationWorker::generate);
    connect(this, &MainWindow::captionRequested, w, &GenerationWorker::caption);
    connect(this, &MainWindow::visionModelRequested, w, &GenerationWorker::loadVisionModel);
    connect(w, &GenerationWorker::visionModelChanged, this, &MainWindow::onVisionModelChanged);
    connect(w, &GenerationWorker::measured, this, &MainWindow::onMeasured);
    connect(w, &GenerationWorker::modelLoaded, this, &MainWindow::onModelLoaded);
    connect(w, &GenerationWorker::modelFailed, this, &MainWindow::onModelFailed);
    connect(w, &GenerationWorker::modelLoadCancelled, this, &MainWindow::onModelLoadCancelled);
    connect(w, &GenerationWorker::loadProgress, this, &MainWindow::onLoadProgress);
    connect(w, &GenerationWorker::captioned, this, &MainWindow::onCaptioned);
    connect(w, &GenerationWorker::captionFailed, this, [this](const QString& message) {
        reference_->setCaptioning(false);
        if (!message.isEmpty()) statusBar()->showMessage(message, 8000);
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
    setVaeTiling(settings_->vaeTiling());
    reference_->setStartFolder(settings_->referenceFolder());
    plan_->setStartFolder(settings_->planFolder());
    restoreAdapterSettings();
    const auto examples = exampleReferences();
    reference_->setExamples(examples);
    auto folder = settings_->modelFolder();
    if (folder.isEmpty() || !isModelPath(folder)) folder = bundledDemoModel();
    if (!examples.isEmpty() && folder == bundledDemoModel()) {
        reference_->loadFile(examples.front());
        reference_->setStartFolder(settings_->referenceFolder());  // the example is not the user's folder
    }
    if (folder.isEmpty()) eta_->setText(tr("No model: open a checkpoint or a diffusers folder (File ▸ Open Checkpoint…)."));
    else loadModel(folder);
    // The Models page's folders load after the diffusion model, which the studio needs first.
    for (const auto role : kVisionRoles)
        if (const auto vision = settings_->visionModelFolder(role); !vision.isEmpty()) setVisionModel(role, vision);
}

void MainWindow::showError(const QString& title, const QString& message) { errorBox(title, message); }

QMessageBox* MainWindow::errorBox(const QString& title, const QString& message) {
    lastError_ = message;
    statusBar()->showMessage(message.section('\n', 0, 0), 10000);
    // Window-modal and non-blocking: the run and the event loop go on.
    auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName("errorDialog");
    box->open();
    return box;
}

void MainWindow::closeEvent(QCloseEvent* event) {
    settings_->setGeometry(saveGeometry());
    settings_->setWindowState(splitter_->saveState());
    settings_->setSubjects(subjects_->subjects());
    thread_->stop();  // cancels, then waits for the worker to stop
    event->accept();
}

}  // namespace sa::ui
