// The registry as a catalogue: every expected model is present exactly once, every model cites its
// source, every variability term says where it comes from, and ke0 provenance is stated honestly
// (reference docs/reference/pharmacology.md §1.8: only Navarrete's 0.238 /min for Domino is a
// published estimate; opentiva's "from tpeak 1 min" values are that code's own convention).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "core/pk/model.h"

namespace kit::pk {
namespace {

const std::vector<std::string> kExpectedIds = {"domino1982", "clements1981", "hijazi2003",
                                               "herd2007",   "hornik2018",   "sherwin2015",
                                               "elkomy2015", "kamp2020",     "flint2017"};

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(PkRegistry, HasExactlyTheNineModelsWithUniqueIds) {
  const auto& reg = model_registry();
  std::set<std::string> ids;
  for (const auto& m : reg) EXPECT_TRUE(ids.insert(m.id).second) << "duplicate id " << m.id;
  EXPECT_EQ(reg.size(), kExpectedIds.size());
  for (const auto& id : kExpectedIds) {
    const ModelDefinition* m = find_model(id);
    ASSERT_NE(m, nullptr) << id;
    EXPECT_EQ(m->id, id);
  }
  EXPECT_EQ(find_model("marsh"), nullptr);
}

TEST(PkRegistry, EveryModelCitesASourceAndStatesItsRanges) {
  for (const auto& m : model_registry()) {
    SCOPED_TRACE(m.id);
    EXPECT_GE(m.citation.size(), 20u);
    // Every citation carries a PMID or a DOI that a reader can look up.
    EXPECT_TRUE(contains(m.citation, "PMID") || contains(m.citation, "DOI"));
    EXPECT_FALSE(m.weight_kg.source.empty());
    EXPECT_FALSE(m.age_y.source.empty());
    EXPECT_FALSE(m.notes.empty());
    EXPECT_FALSE(m.compounds.empty());
    ASSERT_FALSE(m.covariates.empty());
    EXPECT_EQ(m.covariates.front(), "weight_kg");
    ASSERT_NE(m.typical, nullptr);
  }
}

TEST(PkRegistry, AnyUnenforcedRangeSaysNotFound) {
  for (const auto& m : model_registry()) {
    SCOPED_TRACE(m.id);
    if (!m.weight_kg.min && !m.weight_kg.max) {
      EXPECT_TRUE(contains(m.weight_kg.source, "NOT FOUND"));
    }
    if (!m.age_y.min && !m.age_y.max) {
      EXPECT_TRUE(contains(m.age_y.source, "NOT FOUND"));
    }
  }
}

TEST(PkRegistry, EveryVariabilityAndCorrelationHasASource) {
  for (const auto& m : model_registry()) {
    SCOPED_TRACE(m.id);
    for (const auto& v : m.iiv) {
      EXPECT_FALSE(v.source.empty()) << param_name(v.param);
      EXPECT_GT(v.omega, 0.0);
      EXPECT_LT(v.omega, 2.0);
    }
    for (const auto& c : m.correlations) {
      EXPECT_FALSE(c.source.empty());
      EXPECT_GT(c.r, -1.0);
      EXPECT_LT(c.r, 1.0);
      // A correlation only makes sense between two parameters that both vary.
      auto varies = [&](ParamId id) {
        return std::any_of(m.iiv.begin(), m.iiv.end(),
                           [&](const auto& v) { return v.param == id; });
      };
      EXPECT_TRUE(varies(c.a));
      EXPECT_TRUE(varies(c.b));
    }
  }
}

struct Ke0Row {
  const char* id;
  std::optional<double> ke0;
  Ke0Provenance provenance;
  const char* source;
};

// Reference §1.8 and opentiva/ketamine.py. nullopt = no ke0 published for the model.
const Ke0Row kKe0Rows[] = {
    {"domino1982", 0.238, Ke0Provenance::published, "Navarrete 2025 via TCIsim"},
    {"clements1981", 5.2, Ke0Provenance::code_convention, "opentiva, tpeak 1 min"},
    {"hijazi2003", 4.773, Ke0Provenance::code_convention, "opentiva, tpeak 1 min"},
    {"herd2007", 3.7808, Ke0Provenance::published, "Herd 2008: t1/2ke0 11 s"},
    {"hornik2018", 4.212, Ke0Provenance::code_convention, "opentiva, tpeak 1 min"},
    {"kamp2020", 2.791, Ke0Provenance::code_convention, "opentiva, tpeak 1 min"},
    {"sherwin2015", std::nullopt, Ke0Provenance::code_convention, "none published"},
    {"elkomy2015", std::nullopt, Ke0Provenance::code_convention, "none published"},
    {"flint2017", std::nullopt, Ke0Provenance::code_convention, "none published"},
};

TEST(PkRegistry, Ke0ValuesAndProvenance) {
  for (const auto& row : kKe0Rows) {
    SCOPED_TRACE(std::string(row.id) + " (" + row.source + ")");
    const ModelDefinition& m = *find_model(row.id);
    if (!row.ke0) {
      EXPECT_FALSE(m.ke0.has_value());
      EXPECT_FALSE(individual_parameters(m, Patient{.weight_kg = 20}).ke0_per_min.has_value());
      continue;
    }
    ASSERT_TRUE(m.ke0.has_value());
    EXPECT_NEAR(m.ke0->per_min, *row.ke0, 1e-4);
    EXPECT_EQ(m.ke0->provenance, row.provenance);
    if (row.provenance == Ke0Provenance::code_convention) {
      EXPECT_TRUE(contains(m.ke0->source, "from tpeak 1 min"));
    }
    EXPECT_NEAR(*individual_parameters(m, Patient{.weight_kg = 30}).ke0_per_min, *row.ke0, 1e-4);
  }
  // Exactly two published ke0 values: Navarrete 2025 (Domino) and Herd 2008.
  int published = 0;
  for (const auto& m : model_registry()) {
    if (m.ke0 && m.ke0->provenance == Ke0Provenance::published) ++published;
  }
  EXPECT_EQ(published, 2);
}

TEST(PkRegistry, PopulationsAndCompounds) {
  for (const char* id : {"domino1982", "clements1981", "hijazi2003", "kamp2020"}) {
    EXPECT_EQ(find_model(id)->population, Population::adult) << id;
  }
  for (const char* id : {"herd2007", "hornik2018", "sherwin2015", "elkomy2015", "flint2017"}) {
    EXPECT_EQ(find_model(id)->population, Population::pediatric) << id;
  }
  for (const auto& m : model_registry()) {
    if (m.id == "flint2017") {
      EXPECT_EQ(m.compounds, (std::vector<std::string>{"S-ketamine", "S-norketamine"}));
    } else {
      EXPECT_EQ(m.compounds, std::vector<std::string>{"ketamine"}) << m.id;
    }
  }
}

TEST(PkRegistry, HerdVariabilityIsBsvAsSdOfEta) {
  // Herd 2007 abstract: BSV V1 64%, V2 51.7%, CL 38.1%, Q 19%; omega = BSV/100 (NONMEM/Holford).
  const ModelDefinition& m = *find_model("herd2007");
  ASSERT_EQ(m.iiv.size(), 4u);
  const std::pair<ParamId, double> expected[] = {
      {ParamId::v1, 0.64}, {ParamId::v2, 0.517}, {ParamId::cl, 0.381}, {ParamId::q2, 0.19}};
  for (const auto& [id, omega] : expected) {
    auto it =
        std::find_if(m.iiv.begin(), m.iiv.end(), [&](const auto& v) { return v.param == id; });
    ASSERT_NE(it, m.iiv.end()) << param_name(id);
    EXPECT_DOUBLE_EQ(it->omega, omega);
  }
  EXPECT_TRUE(m.correlations.empty());
}

TEST(PkRegistry, FlintVariabilityFromCv) {
  // nlmixr2lib Flint_2017_s_ketamine.R (Flint 2017 Table 3): CV 40.2% (CL), 104% (CLM), r 0.506;
  // omega^2 = ln(1 + CV^2).
  const ModelDefinition& m = *find_model("flint2017");
  ASSERT_EQ(m.iiv.size(), 2u);
  EXPECT_EQ(m.iiv[0].param, ParamId::cl);
  EXPECT_NEAR(m.iiv[0].omega * m.iiv[0].omega, std::log(1 + 0.402 * 0.402), 1e-12);
  EXPECT_NEAR(m.iiv[0].omega, 0.387042, 1e-6);
  EXPECT_EQ(m.iiv[1].param, ParamId::met_cl);
  EXPECT_NEAR(m.iiv[1].omega * m.iiv[1].omega, std::log(1 + 1.04 * 1.04), 1e-12);
  EXPECT_NEAR(m.iiv[1].omega, 0.856234, 1e-6);
  ASSERT_EQ(m.correlations.size(), 1u);
  EXPECT_EQ(m.correlations[0].a, ParamId::cl);
  EXPECT_EQ(m.correlations[0].b, ParamId::met_cl);
  EXPECT_DOUBLE_EQ(m.correlations[0].r, 0.506);
}

TEST(PkRegistry, ModelsWithoutPublishedIivRegisterNone) {
  // IIV NOT FOUND for these (reference §1 and §9; Sherwin gives only a 34-98% range).
  for (const char* id : {"domino1982", "clements1981", "hijazi2003", "hornik2018", "sherwin2015",
                         "elkomy2015", "kamp2020"}) {
    EXPECT_TRUE(find_model(id)->iiv.empty()) << id;
    EXPECT_TRUE(find_model(id)->correlations.empty()) << id;
  }
}

TEST(PkRegistry, KampNotesRecordTheOtherEncoding) {
  const std::string& notes = find_model("kamp2020")->notes;
  EXPECT_TRUE(contains(notes, "LINEARLY"));
  EXPECT_TRUE(contains(notes, "0.75"));
  EXPECT_TRUE(contains(notes, "no ke0"));
}

TEST(PkRegistry, SherwinNotesFlagTheExponentAssumption) {
  const std::string& notes = find_model("sherwin2015")->notes;
  EXPECT_TRUE(contains(notes, "NOT FOUND"));
  EXPECT_TRUE(contains(notes, "ASSUMPTION"));
}

}  // namespace
}  // namespace kit::pk
