#pragma once
// The sub-streams care draws from, by name. A random draw is keyed by (person, step,
// purpose, index); within one purpose, and within one request queue (whose tie-break keys
// are keyed by the index alone), every kind of draw has its own index range. The numbers
// are the ones the model has always used, so results do not change; the static_asserts
// below fail to compile if two ranges of one queue or purpose overlap, and CareParams::read
// refuses a config with more events or services than a range holds.
#include "model/core/rng.hpp"

namespace hscsim::substream {

// GP requests (queue `gp`; their appointment lanes are Purpose::GpAppointment).
inline constexpr Range kGpBacklog = one(0);        //!< a request waiting since an earlier step
inline constexpr Range kGpRoutine{1, 99};          //!< the k-th routine request of the step
inline constexpr Range kGpEvent{100, 200};         //!< health event k seen by the GP
inline constexpr Range kGpReview = one(300);       //!< a long-term-condition review that is due
inline constexpr Range kGpDigital = one(400);      //!< a person's lasting digital exclusion (lane 0, at kInitStep)
static_assert(disjoint({kGpBacklog, kGpRoutine, kGpEvent, kGpReview, kGpDigital}));

// A&E requests (queue `ae`; their lanes are Purpose::Emergency).
inline constexpr Range kAeWaitingLanes = one(0);   //!< lanes of a patient waiting for a bed
inline constexpr Range kAeWaitingForBed = one(299);  //!< request of a patient waiting for a bed
inline constexpr Range kAeEvent{300, 200};         //!< health event k taken straight to A&E
inline constexpr Range kGpToAe{600, 256};          //!< sent on by the GP (index: what was asked)
inline constexpr Range kMutualAid = one(900);      //!< admitted to a partner trust under mutual aid
inline constexpr Range kGpWaitToAe = one(950);     //!< gave up waiting for a GP and went to A&E
inline constexpr Range kStepUp = one(960);         //!< cared for at home by intermediate care instead of admitted
static_assert(disjoint({kAeWaitingLanes, kAeWaitingForBed, kAeEvent, kGpToAe, kMutualAid, kGpWaitToAe, kStepUp}));

// Electives (queue `elective`; lanes Purpose::Elective: the step's admission draws at index 0).
inline constexpr Range kElective = one(500);
inline constexpr Range kElectiveListLanes = one(1);  //!< a person on the list this step: leaving it untreated
inline constexpr Range kElectivePriority = one(2);   //!< a referral's priority class, keyed by the referral day
static_assert(disjoint({one(0), kElectiveListLanes, kElectivePriority}));

// Social care requests (queue `social`).
inline constexpr Range kSocialDischarge = one(1);      //!< a hospital discharge needing care (also its lanes)
inline constexpr Range kSocialAfterReablement = one(2);  //!< follow-on care after reablement
inline constexpr Range kSocialCommunity = one(3);      //!< a need arising at home
inline constexpr Range kSocialAfterIntermediate = one(4);  //!< care needed after intermediate care
static_assert(disjoint({kSocialDischarge, kSocialAfterReablement, kSocialCommunity, kSocialAfterIntermediate}));

// Intermediate care requests (queue `intermediate`): hospital discharges.
inline constexpr Range kIntermediateDischarge = one(1);

// Lanes of Purpose::Discharge: the step's discharge draws (index 0), and the time from
// medically fit to ready to leave, keyed by the fit day instead of the step.
inline constexpr Range kDischargeLanes = one(0);
inline constexpr Range kDischargeProcess = one(1);
static_assert(disjoint({kDischargeLanes, kDischargeProcess}));

// Lanes of Purpose::SocialCare (not requests).
inline constexpr Range kSocialReablementEndLanes = one(0);  //!< whether care follows reablement
inline constexpr Range kSocialPlacementLanes = one(1);      //!< self-funding and nursing of a placement
inline constexpr Range kIntermediatePlacementLanes = one(2);  //!< a patient taken into intermediate care
inline constexpr Range kIntermediateEndLanes = one(3);      //!< what follows intermediate care
static_assert(disjoint({kSocialReablementEndLanes, kSocialPlacementLanes, kIntermediatePlacementLanes, kIntermediateEndLanes}));

// Third-sector referrals (queue `third`), one index per service.
inline constexpr Range kThirdFromHospital{1000, 1000};
inline constexpr Range kThirdFromGp{2000, 1000};
inline constexpr Range kThirdSelf{3000, 1000};
static_assert(disjoint({kThirdFromHospital, kThirdFromGp, kThirdSelf}));


//! The most health events and third-sector services the ranges hold.
inline constexpr int kMaxEvents = kGpEvent.size < kAeEvent.size ? kGpEvent.size : kAeEvent.size;
inline constexpr int kMaxServices = kThirdFromHospital.size;

}  // namespace hscsim::substream

// Lanes within one draw (Lanes of one block), by what they decide. Like the sub-stream
// numbers, they are the model's numbers since the start.
namespace hscsim::care_lane {
// Purpose::GpAppointment, one block per appointment request.
inline constexpr int kGpVirtual = 0, kGpOutpatient = 1, kGpElective = 2, kGpUnmetToAe = 3;
inline constexpr int kGpThirdSector = 4;  //!< then one per third-sector service (appointments given)
inline constexpr int kGpWaitToAe = 4;     //!< a request not served: its person goes to A&E instead of waiting
inline constexpr int kGpRemoteSuitable = 5000;  //!< suitable for a remote appointment (past every service's lane)
inline constexpr int kGpPathway = 5001;         //!< an outpatient referral managed in primary care (shared pathways)
// Purpose::Discharge, when a patient is medically fit.
inline constexpr int kDischargeDeath = 0, kDischargeNeedsCare = 1, kDischargeCareKind = 2;
inline constexpr int kDischargeThirdSector = 3;  //!< then one per third-sector service
// Purpose::Discharge, kDischargeProcess (keyed by the day medically fit): the time to be
// assessed, whether a care home is still being chosen, and how long that takes.
inline constexpr int kProcessAssessment = 0, kProcessChoice = 1, kProcessChoiceDays = 2;
// Purpose::Emergency: an A&E attendance (admitted or not, length of stay, arrival in the
// step); a patient waiting for a bed uses kEmergencyLengthOfStay of kAeWaitingLanes; mutual aid
// kMutualAidTaken and kMutualAidOrder of kMutualAid.
inline constexpr int kEmergencyAdmit = 0, kEmergencyLengthOfStay = 1, kEmergencyArrival = 2, kMutualAidTaken = 0,
                     kMutualAidOrder = 1, kStepUpSuitable = 0, kStepUpDeath = 1;
inline constexpr int kTrolleyWaitDeath = 3;  //!< a patient waiting for a bed dies (kAeWaitingLanes)
inline constexpr int kEmergencyEndOfLife = 3;  //!< a care-home resident dies in the home instead (an attendance's lanes)
// Purpose::Elective.
inline constexpr int kElectiveDayCase = 0, kElectiveLengthOfStay = 1, kElectiveArrival = 2;
inline constexpr int kElectiveRemoved = 0;   //!< leaves the list untreated (kElectiveListLanes)
inline constexpr int kElectiveClass = 0;     //!< the referral's priority class (kElectivePriority)
inline constexpr int kElectiveSpecialty = 1; //!< the referral's specialty (kElectivePriority)
// Purpose::SocialCare: a placement (kSocialPlacementLanes), the end of reablement
// (kSocialReablementEndLanes), and care in place at the start (kInitStep, index 0).
inline constexpr int kPlacementSelfFunded = 0, kPlacementNursing = 1, kReablementNoFurtherCare = 0;
inline constexpr int kInitialCareHome = 0, kInitialSelfFunded = 1, kInitialNursing = 2, kInitialHomeCare = 3;
inline constexpr int kInitialReviewPhase = 4;  //!< when in its interval the next review falls due
inline constexpr int kInitialElective = 5, kInitialElectiveWait = 6;  //!< on the elective list at the start, and since when
inline constexpr int kPlacementDeconditioning = 2;  //!< frailty worsens after a delayed discharge (kSocialPlacementLanes;
                                                    //!< lane 0 of kIntermediatePlacementLanes)
inline constexpr int kIntermediateOutcome = 0;      //!< care needed after an episode (kIntermediateEndLanes)
}  // namespace hscsim::care_lane
