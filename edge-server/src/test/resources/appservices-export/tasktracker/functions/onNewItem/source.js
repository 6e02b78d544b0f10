exports = async function(changeEvent) {
    console.log("new item", changeEvent.documentKey._id);
};
