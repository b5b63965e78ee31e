/**
 * What a replica decides, written once for the two runtimes that serve a plan: the job's
 * {@code TaskOperator} and the planner's {@code Simulator}. Nothing here knows Flink or an event
 * loop: time, what a replica has measured of its own pace and the random draws are passed in, so the
 * simulation of a plan follows the rules the job follows, and a change of rule changes both.
 */
package io.jigsaw.core.serving;
