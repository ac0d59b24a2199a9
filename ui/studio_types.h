#pragma once
// Value types that travel between the widgets and the GenerationWorker (DESIGN §1): plain C++
// from core, images as cv::Mat (8-bit BGR), no tensors.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <QMetaType>
#include <QString>
#include <QStringList>
#include <opencv2/core.hpp>

#include "core/io/image_set.h"
#include "core/style/attention_summary.h"
#include "core/style/layer_plan.h"

namespace sa {
struct LoadOptions;
}

namespace sa::ui {

// What a single-file checkpoint may need that it does not hold (DESIGN §2); remembered per file.
struct CheckpointOptions {
    QString config;          // original YAML; "" = <file>.yaml beside the checkpoint, else built in
    QString predictionType;  // "" = the config's (or the file's metadata), "epsilon", "v_prediction"
    int heads = 0;           // attention heads of every text encoder; 0 = the real models' (head size 64)
    QString activation;      // "" = the encoder's usual one, "quick_gelu", "gelu"

    bool isAuto() const { return config.isEmpty() && predictionType.isEmpty() && heads == 0 && activation.isEmpty(); }
    bool operator==(const CheckpointOptions&) const = default;

    QString toJson() const;                          // compact, for Settings
    static CheckpointOptions fromJson(const QString& json);  // "" or invalid → Auto
    void applyTo(LoadOptions& options) const;        // the single-file fields of core's LoadOptions
    // From a set.json's model_options (core's modelOptionsToJson); throws sa::Error naming `where`.
    static CheckpointOptions fromSetJson(const nlohmann::json& modelOptions, const std::string& where);
};

struct LayerInfo {
    std::string path;   // diffusers path of the self-attention layer
    std::string block;  // "down_blocks.1", "mid_block", …
    int grid = 0;       // token grid side at the model's default size (resolution of the layer)
};

struct ModelInfo {
    QString folder;       // the diffusers folder or the single file
    QString summary;      // StableDiffusionModel::summary(): "SD 1.x · ε-prediction · F16 weights as float · single file (sd15.yaml)"
    QString description;  // the summary + "· 512×512 · 16 self-attention layers · cpu"
    QStringList notes;    // what the loader assumed or ignored
    bool singleFile = false;
    CheckpointOptions options;  // as the model was loaded with
    std::vector<LayerInfo> layers;
    int width = 0, height = 0;
    bool hasCaptioner = false;
    std::vector<std::string> selfAttentionPaths() const;
};

// One run as the user set it up. `spec` uses the CLI's set.json format; `reference` is the
// reference image as loaded (empty: text mode, spec.referencePrompt describes image 0).
struct StudioRequest {
    ImageSetSpec spec;
    cv::Mat reference;
    bool overlays = true;  // record attention maps for the overlays and the chart
    // Each target's subject without the style words: what the CLIP text score compares it with.
    std::vector<std::string> subjects;
    // The control images as read (8-bit BGR), one per spec.control->images (their paths), so the
    // run uses what the Adapters tab previews.
    std::vector<cv::Mat> controlSources;
};

// Announced when a run starts (before its first step).
struct RunInfo {
    int images = 0, steps = 0;
    bool referenceCached = false;  // the reference branch will be replayed: only targets run
    std::vector<std::vector<std::string>> tokens;  // prompt tokens per target, for cross-attention maps
    std::vector<std::string> notes;  // what the adapters adapted: LoRA keys skipped, control maps resized
    int panoramas = 0;               // a panorama set: one run per target
};

enum class RunPhase { Inversion, Reference, Generation, Decoding, Panorama };

struct StepUpdate {
    RunPhase phase = RunPhase::Generation;
    int step = 0, total = 0;   // within the phase
    int done = 0, units = 0;   // over the whole run (inversion + reference + set steps, or every panorama's)
    int part = 0, parts = 1;   // Panorama: which of the set's panoramas
    double elapsed = 0, eta = 0, stepSeconds = 0;
    std::map<int, cv::Mat> previews;  // image index (0 = reference) → predicted clean image
    AttentionSummary attention;       // empty when the run records no overlays
};

struct ImageVerdict {
    std::string subject, style;
    int look = 0;  // which look of the style, from 1; 0 when the judge does not tell looks apart
    float subjectConfidence = 0, styleConfidence = 0;
    bool styleMatchesReference = false;  // same style in the same look
};

struct SetResult {
    ImageSetSpec spec;             // resolved: size, seeds and the explicit plan
    cv::Mat reference;             // the reference as fitted to the set (image mode)
    std::vector<cv::Mat> images;   // reference (or its reconstruction) first
    bool referenceFromCache = false;
    double referenceSeconds = 0, totalSeconds = 0;
    std::vector<ImageVerdict> verdicts;  // the judge's view of every image (when the model has one)
    std::vector<cv::Mat> controlSources; // copied beside an exported set (control_NN.png)
};

// What the worker made of a LoRA file the Adapters tab wants to add (read and checked against
// the loaded model, not attached: runs attach the list).
struct LoraCheck {
    QString file;
    QString format;   // "kohya", "diffusers"
    int layers = 0;   // the layers it adapts
    QString error;    // why it cannot be used (the file is named); empty: it fits
};

// The optional vision models of the Models page (transformers folders as the hubs ship them).
enum class VisionRole { Captioner, Clip, Dino };
constexpr VisionRole kVisionRoles[] = {VisionRole::Captioner, VisionRole::Clip, VisionRole::Dino};

// What the worker made of a vision-model folder ("" clears the role).
struct VisionModelInfo {
    VisionRole role = VisionRole::Captioner;
    QString folder;
    QString holds;         // describeModelFolder: "a BLIP captioner (BlipForConditionalGeneration)"
    QString error;         // the load failed: why (the role then has no model)
    bool loaded = false;
    bool textTower = false;  // a CLIP folder with both towers (the text score needs it)
};

// The paper's measures of one finished set (Hertz et al. 2024, §4.1), from the Models page's CLIP
// and DINO; computed on the worker after the set is shown.
struct SetMeasures {
    std::optional<double> clipTextScore;    // mean cos(CLIP image, CLIP text of the subject) over the new images
    std::optional<double> dinoConsistency;  // mean pairwise cos of DINO CLS over the set, reference included
    QString error;                          // measuring failed: why
};

}  // namespace sa::ui

Q_DECLARE_METATYPE(sa::ui::VisionRole)
Q_DECLARE_METATYPE(sa::ui::VisionModelInfo)
Q_DECLARE_METATYPE(sa::ui::SetMeasures)
Q_DECLARE_METATYPE(sa::ui::CheckpointOptions)
Q_DECLARE_METATYPE(sa::ui::ModelInfo)
Q_DECLARE_METATYPE(sa::ui::StudioRequest)
Q_DECLARE_METATYPE(sa::ui::RunInfo)
Q_DECLARE_METATYPE(sa::ui::StepUpdate)
Q_DECLARE_METATYPE(sa::ui::SetResult)
Q_DECLARE_METATYPE(sa::ui::LoraCheck)
